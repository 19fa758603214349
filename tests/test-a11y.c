/* test-a11y.c: the real kai-arena as a screen reader sees it, over AT-SPI.
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts the built kai-arena on a temporary database and the sample pack, with the
 * accessibility bridge on (the test environment turns it off for every other test), finds
 * it on the AT-SPI registry and drives it the way an assistive technology would: through
 * roles, names, states and the "click" action. Per UI language it checks that
 *   - the first-run privacy notice is exposed, voting is impossible before agreeing, and
 *     "Agree and Start" works through AT-SPI;
 *   - the two answers are exposed as text with the names "Model A" and "Model B" (or their
 *     Korean) and hold the answer text;
 *   - the four vote buttons are enabled push buttons with their names and a "click" action;
 *   - no model name or organisation from the pack appears anywhere in the accessible tree
 *     (names, descriptions, text of labels) before the vote;
 *   - after "A is better" is clicked, "Vote recorded" and the chosen model's name are
 *     exposed, the "Next battle" button is enabled, and the store holds the ballot and the
 *     consent.
 * and, for answers written to probe the renderer (a Korean and an English one with a
 * table, code, inline and display math, single tildes and bold before a particle), that
 * what a screen reader gets is what the model meant: no Markdown syntax, no joiners,
 * table cells as cells, formulas as readable text.
 *
 * Needs a display (xvfb-run) and a D-Bus session bus (dbus-run-session), as in
 * build-aux/test.sh; it skips, saying why, only when the AT-SPI bus cannot be reached.
 */

#define G_LOG_DOMAIN "test-a11y"

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <atspi/atspi.h>
#include <json-glib/json-glib.h>
#include <glib/gstdio.h>

#include "ka-pack.h"
#include "ka-store.h"
#include "ka-tex.h"

/* libatspi 2.46 declares no autoptr cleanups; its interfaces are GObjects underneath. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AtspiAccessible, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AtspiAction, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AtspiStateSet, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AtspiText, g_object_unref)

/* Generous: two cores are shared by several builds, and GTK starts slowly under Xvfb. */
#define APP_DEADLINE_S   60
#define STATE_DEADLINE_S 30

typedef struct
{
  const char *language;      /* LANGUAGE for the app */
  const char *model_a;       /* expected accessible names */
  const char *model_b;
  const char *agree;
  const char *vote[4];
  const char *recorded;
  const char *next;
} Expected;

static const Expected english = {
  "en",
  "Model A", "Model B",
  "Agree and Start",
  { "A is better", "B is better", "Tie", "Both are bad" },
  "Vote recorded",
  "Next battle",
};

static const Expected korean = {
  "ko",
  "모델 A", "모델 B",
  "동의하고 시작",
  { "A가 더 나음", "B가 더 나음", "비슷함", "둘 다 별로" },
  "투표가 기록되었습니다",
  "다음 대결",
};

/* Tree walking ------------------------------------------------------------------------ */

typedef gboolean (*NodeFunc) (AtspiAccessible *node,
                              gpointer         data);

/* Depth-first; stops (returning the node, referenced) when @func returns TRUE. */
static AtspiAccessible *
walk (AtspiAccessible *node,
      NodeFunc         func,
      gpointer         data)
{
  int n;

  if (func (node, data))
    return g_object_ref (node);

  n = atspi_accessible_get_child_count (node, NULL);
  for (int i = 0; i < n; i++)
    {
      g_autoptr(AtspiAccessible) child = atspi_accessible_get_child_at_index (node, i, NULL);
      AtspiAccessible *found;

      if (child == NULL)
        continue;
      found = walk (child, func, data);
      if (found != NULL)
        return found;
    }

  return NULL;
}

static char *
node_name (AtspiAccessible *node)
{
  char *name = atspi_accessible_get_name (node, NULL);

  return name != NULL ? name : g_strdup ("");
}

static char *
node_text (AtspiAccessible *node)
{
  g_autoptr(AtspiText) text = atspi_accessible_get_text_iface (node);
  int count;

  if (text == NULL)
    return NULL;

  count = atspi_text_get_character_count (text, NULL);
  if (count <= 0)
    return g_strdup ("");

  return atspi_text_get_text (text, 0, count, NULL);
}

static gboolean
node_has_state (AtspiAccessible *node,
                AtspiStateType   state)
{
  g_autoptr(AtspiStateSet) set = atspi_accessible_get_state_set (node);

  return set != NULL && atspi_state_set_contains (set, state);
}

typedef struct
{
  AtspiRole   role;
  const char *name;
} Query;

static gboolean
matches_query (AtspiAccessible *node,
               gpointer         data)
{
  const Query *q = data;
  g_autofree char *name = NULL;

  if (atspi_accessible_get_role (node, NULL) != q->role)
    return FALSE;

  name = node_name (node);
  return g_strcmp0 (name, q->name) == 0;
}

/* GTK 4.8 sets no SHOWING state, and the pages a GtkStack hides stay in the tree as
 * VISIBLE: what is on screen shows in SENSITIVE (actions enabled) and in contents. */
static AtspiAccessible *
find_node (AtspiAccessible *app,
           AtspiRole        role,
           const char      *name)
{
  Query q = { role, name };

  return walk (app, matches_query, &q);
}

/* The answers: GtkTextView is ATSPI_ROLE_TEXT in GTK 4.8; accept the document roles too. */
static gboolean
is_text_role (AtspiRole role)
{
  return role == ATSPI_ROLE_TEXT || role == ATSPI_ROLE_DOCUMENT_TEXT ||
         role == ATSPI_ROLE_DOCUMENT_FRAME || role == ATSPI_ROLE_ENTRY;
}

typedef struct
{
  const char *name;
} AnswerQuery;

static gboolean
matches_answer (AtspiAccessible *node,
                gpointer         data)
{
  const AnswerQuery *q = data;
  g_autofree char *name = NULL;

  if (!is_text_role (atspi_accessible_get_role (node, NULL)))
    return FALSE;

  name = node_name (node);
  return g_strcmp0 (name, q->name) == 0;
}

static AtspiAccessible *
find_answer (AtspiAccessible *app,
             const char      *name)
{
  AnswerQuery q = { name };

  return walk (app, matches_answer, &q);
}

/* Whether @term occurs in @text as a whole word, ignoring case: "Meta" is a leak,
 * "metadata" is not. */
static gboolean
contains_term (const char *text,
               const char *term)
{
  g_autofree char *hay = NULL;
  g_autofree char *needle = NULL;
  size_t len;

  if (text == NULL || term == NULL || term[0] == '\0')
    return FALSE;

  hay = g_utf8_casefold (text, -1);
  needle = g_utf8_casefold (term, -1);
  len = strlen (needle);

  for (const char *p = strstr (hay, needle); p != NULL; p = strstr (p + 1, needle))
    {
      gunichar before = p > hay ? g_utf8_get_char (g_utf8_find_prev_char (hay, p)) : 0;
      gunichar after = g_utf8_get_char (p + len);

      if (!g_unichar_isalnum (before) && !g_unichar_isalnum (after))
        return TRUE;
    }

  return FALSE;
}

typedef struct
{
  GPtrArray *names;         /* model display names */
  GPtrArray *terms;         /* display names and organisations */
  GString   *leaks;         /* what was found, for the failure message */
  guint      n_nodes;
  guint      n_answers;     /* answer text objects seen */
} LeakScan;

/* Names, descriptions and text of every node. An answer's own text is the model's output,
 * which the identity guard vetted; there only the model names themselves would leak. */
static gboolean
scan_node (AtspiAccessible *node,
           gpointer         data)
{
  LeakScan *scan = data;
  g_autofree char *name = node_name (node);
  g_autofree char *description = atspi_accessible_get_description (node, NULL);
  g_autofree char *text = node_text (node);
  gboolean answer = is_text_role (atspi_accessible_get_role (node, NULL));
  GPtrArray *text_terms = answer ? scan->names : scan->terms;

  scan->n_nodes++;
  if (answer)
    scan->n_answers++;

  for (guint i = 0; i < scan->terms->len; i++)
    {
      const char *term = g_ptr_array_index (scan->terms, i);

      if (contains_term (name, term))
        g_string_append_printf (scan->leaks, "“%s” in the name “%s”\n", term, name);
      if (contains_term (description, term))
        g_string_append_printf (scan->leaks, "“%s” in the description “%s”\n", term,
                                description);
    }

  for (guint i = 0; text != NULL && i < text_terms->len; i++)
    {
      const char *term = g_ptr_array_index (text_terms, i);

      if (contains_term (text, term))
        g_string_append_printf (scan->leaks, "“%s” in the text of “%s”\n", term, name);
    }

  return FALSE;
}

/* Returns: (transfer full): the leaks found, one per line; "" if none */
static char *
scan_for_names (AtspiAccessible *app,
                KaPack          *pack,
                guint           *n_nodes)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GPtrArray) terms = g_ptr_array_new ();
  LeakScan scan = { names, terms, g_string_new (NULL), 0, 0 };

  for (guint i = 0; i < ka_pack_get_n_models (pack); i++)
    {
      const KaPackModel *model = ka_pack_get_model (pack, i);

      g_ptr_array_add (names, model->display_name);
      g_ptr_array_add (terms, model->display_name);
      if (model->organisation != NULL)
        g_ptr_array_add (terms, model->organisation);
    }

  walk (app, scan_node, &scan);
  g_assert_cmpuint (scan.n_answers, >=, 2);
  *n_nodes = scan.n_nodes;

  return g_string_free (scan.leaks, FALSE);
}

static gboolean
do_click (AtspiAccessible *node)
{
  g_autoptr(AtspiAction) action = atspi_accessible_get_action_iface (node);
  int n;

  g_assert_nonnull (action);
  n = atspi_action_get_n_actions (action, NULL);
  for (int i = 0; i < n; i++)
    {
      g_autofree char *name = atspi_action_get_action_name (action, i, NULL);

      if (g_strcmp0 (name, "click") == 0)
        return atspi_action_do_action (action, i, NULL);
    }

  g_assert_not_reached ();
}

static gboolean
has_click (AtspiAccessible *node)
{
  g_autoptr(AtspiAction) action = atspi_accessible_get_action_iface (node);
  int n;

  if (action == NULL)
    return FALSE;

  n = atspi_action_get_n_actions (action, NULL);
  for (int i = 0; i < n; i++)
    {
      g_autofree char *name = atspi_action_get_action_name (action, i, NULL);

      if (g_strcmp0 (name, "click") == 0)
        return TRUE;
    }

  return FALSE;
}

/* Polling ----------------------------------------------------------------------------- */

/* GSubprocess forgets the identifier once the child has been reaped (on GLib's worker
 * thread, so no main loop is needed); asking for the exit status before that is an error. */
static gboolean
process_gone (GSubprocess *process)
{
  return g_subprocess_get_identifier (process) == NULL;
}

static gboolean
past (gint64 deadline)
{
  return g_get_monotonic_time () > deadline;
}

static gint64
deadline_in (int seconds)
{
  return g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
}

static AtspiAccessible *
find_application (GPid pid)
{
  g_autoptr(AtspiAccessible) desktop = atspi_get_desktop (0);
  int n = atspi_accessible_get_child_count (desktop, NULL);

  for (int i = 0; i < n; i++)
    {
      g_autoptr(AtspiAccessible) app = atspi_accessible_get_child_at_index (desktop, i, NULL);

      if (app != NULL && (GPid) atspi_accessible_get_process_id (app, NULL) == pid)
        return g_steal_pointer (&app);
    }

  return NULL;
}

/* Waits for a node of @role named @name, with @state. */
static AtspiAccessible *
wait_for_node (AtspiAccessible *app,
               AtspiRole        role,
               const char      *name,
               AtspiStateType   state,
               GSubprocess     *process)
{
  gint64 deadline = deadline_in (STATE_DEADLINE_S);

  for (;;)
    {
      AtspiAccessible *node = find_node (app, role, name);

      if (node != NULL && node_has_state (node, state))
        return node;
      g_clear_object (&node);
      if (process_gone (process))
        g_error ("kai-arena exited while the test waited for “%s”", name);
      if (past (deadline))
        g_error ("no %s “%s” in state %d within %d s", atspi_role_get_name (role), name,
                 state, STATE_DEADLINE_S);
      g_usleep (100 * 1000);
    }
}

/* Test -------------------------------------------------------------------------------- */

static gboolean
a11y_bus_available (char **reason)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      *reason = g_strdup ("no D-Bus session bus: run under dbus-run-session "
                          "(build-aux/test.sh)");
      return FALSE;
    }

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      *reason = g_strdup ("no display: run under xvfb-run (build-aux/test.sh)");
      return FALSE;
    }

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (bus != NULL)
    reply = g_dbus_connection_call_sync (bus, "org.a11y.Bus", "/org/a11y/bus",
                                         "org.a11y.Bus", "GetAddress", NULL,
                                         G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE,
                                         20 * 1000, NULL, &error);
  if (reply == NULL)
    {
      *reason = g_strdup_printf ("the AT-SPI bus cannot start (is at-spi2-core "
                                 "installed?): %s", error->message);
      return FALSE;
    }

  return TRUE;
}

/* The AT-SPI registry is started on demand by the accessibility bus. An app that starts
 * before the registry answers may never appear on it (1 run in 3, issue 11), so the test
 * starts the registry itself and waits until it answers before it starts the app. */
static void
wait_for_registry (void)
{
  g_autoptr(GDBusConnection) session = NULL;
  g_autoptr(GDBusConnection) a11y = NULL;
  g_autoptr(GVariant) address = NULL;
  g_autoptr(GError) error = NULL;
  const char *text;
  gint64 deadline = deadline_in (APP_DEADLINE_S);

  session = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  address = g_dbus_connection_call_sync (session, "org.a11y.Bus", "/org/a11y/bus",
                                         "org.a11y.Bus", "GetAddress", NULL,
                                         G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE,
                                         20 * 1000, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (address, "(&s)", &text);
  a11y = g_dbus_connection_new_for_address_sync (text,
                                                 G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                 G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                 NULL, NULL, &error);
  g_assert_no_error (error);

  for (;;)
    {
      g_autoptr(GVariant) started = NULL;
      g_autoptr(GVariant) pong = NULL;
      g_autoptr(GError) local = NULL;

      started = g_dbus_connection_call_sync (a11y, "org.freedesktop.DBus",
                                             "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                             "StartServiceByName",
                                             g_variant_new ("(su)", "org.a11y.atspi.Registry",
                                                            0),
                                             G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE,
                                             10 * 1000, NULL, &local);
      if (started != NULL)
        pong = g_dbus_connection_call_sync (a11y, "org.a11y.atspi.Registry",
                                            "/org/a11y/atspi/accessible/root",
                                            "org.freedesktop.DBus.Peer", "Ping", NULL, NULL,
                                            G_DBUS_CALL_FLAGS_NO_AUTO_START, 10 * 1000, NULL,
                                            &local);
      if (pong != NULL)
        return;
      if (past (deadline))
        g_error ("the AT-SPI registry did not answer within %d s: %s", APP_DEADLINE_S,
                 local != NULL ? local->message : "?");
      g_usleep (50 * 1000);
    }
}

/* The app must not outlive a failed test: meson would wait for its output until the
 * timeout. */
static void
die_with_parent (gpointer user_data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
}

static void
stop_app (GSubprocess *process)
{
  gint64 deadline = deadline_in (10);

  if (process_gone (process))
    return;

  g_subprocess_send_signal (process, SIGTERM);
  while (!past (deadline))
    {
      if (process_gone (process))
        return;
      g_usleep (20 * 1000);
    }

  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, NULL);
}

static void
test_battle (gconstpointer data)
{
  const Expected *expected = data;
  const char *source_root = g_getenv ("KA_SOURCE_ROOT");
  const char *build_root = g_getenv ("KA_BUILD_ROOT");
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *pack_path = NULL;
  g_autofree char *app_path = NULL;
  g_autoptr(KaPack) pack = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(AtspiAccessible) app = NULL;
  g_autoptr(AtspiAccessible) agree = NULL;
  g_autoptr(AtspiAccessible) answer_a = NULL;
  g_autoptr(AtspiAccessible) answer_b = NULL;
  g_autoptr(AtspiAccessible) vote_a = NULL;
  g_autoptr(AtspiAccessible) recorded = NULL;
  g_autoptr(AtspiAccessible) next = NULL;
  g_autoptr(KaStore) store = NULL;
  g_autofree char *leaks = NULL;
  g_autofree char *consent = NULL;
  g_autofree char *mo = NULL;
  gint64 deadline;
  guint n_nodes = 0;
  gboolean revealed;

  if (source_root == NULL || build_root == NULL)
    {
      g_test_skip ("KA_SOURCE_ROOT and KA_BUILD_ROOT are not set: run through meson test");
      return;
    }

  if (!a11y_bus_available (&reason))
    {
      g_test_skip (reason);
      return;
    }
  wait_for_registry ();

  app_path = g_build_filename (build_root, "src", "kai-arena", NULL);
  pack_path = g_build_filename (source_root, "data", "packs", "sample-ko.json", NULL);
  g_assert_true (g_file_test (app_path, G_FILE_TEST_IS_EXECUTABLE));

  /* The Korean run needs the catalogue that meson builds next to the app (po/). */
  mo = g_build_filename (build_root, "po", expected->language, "LC_MESSAGES",
                         GETTEXT_PACKAGE ".mo", NULL);
  if (!g_str_equal (expected->language, "en") && !g_file_test (mo, G_FILE_TEST_EXISTS))
    g_error ("%s is not built", mo);

  pack = ka_pack_new_from_file (pack_path, &error);
  g_assert_no_error (error);
  g_assert_false (ka_pack_is_sealed (pack));
  g_assert_cmpuint (ka_pack_get_n_models (pack), >=, 2);

  tmpdir = g_dir_make_tmp ("ka-test-a11y-XXXXXX", &error);
  g_assert_no_error (error);
  db_path = g_build_filename (tmpdir, "ballots.sqlite", NULL);

  /* The test environment turns accessibility off (GTK_A11Y=none, NO_AT_BRIDGE=1) for
   * every other test: turn it back on for the app. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_unsetenv (launcher, "GTK_A11Y");
  g_subprocess_launcher_setenv (launcher, "NO_AT_BRIDGE", "0", TRUE);
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", expected->language, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_setenv (launcher, "GDK_BACKEND", "x11", TRUE);
  /* No desktop portal runs here; do not wait for one. */
  g_subprocess_launcher_setenv (launcher, "ADW_DISABLE_PORTAL", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "GTK_USE_PORTAL", "0", TRUE);
  /* A warning from GTK about the environment must not kill the app under test. */
  g_subprocess_launcher_setenv (launcher, "G_DEBUG", "gc-friendly", TRUE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);

  process = g_subprocess_launcher_spawn (launcher, &error, app_path,
                                         "--pack", pack_path,
                                         "--database", db_path,
                                         NULL);
  g_assert_no_error (error);

  /* Wait for the app on the registry. */
  deadline = deadline_in (APP_DEADLINE_S);
  for (;;)
    {
      const char *pid = g_subprocess_get_identifier (process);

      if (pid == NULL)
        g_error ("kai-arena exited (status %d) before it appeared on the AT-SPI registry",
                 g_subprocess_get_status (process));
      app = find_application (atoi (pid));
      if (app != NULL)
        break;
      if (past (deadline))
        g_error ("kai-arena did not appear on the AT-SPI registry within %d s",
                 APP_DEADLINE_S);
      g_usleep (100 * 1000);
    }
  /* Always ask the app: a cached name or state would hide a change. */
  atspi_accessible_set_cache_mask (app, ATSPI_CACHE_NONE);

  /* 1. First run: the privacy notice, with the focus on "Agree and Start", and no way to
   *    vote past it: the vote buttons are there but insensitive, the answers empty. */
  agree = wait_for_node (app, ATSPI_ROLE_PUSH_BUTTON, expected->agree, ATSPI_STATE_FOCUSED,
                         process);
  g_assert_true (node_has_state (agree, ATSPI_STATE_SENSITIVE));
  g_assert_true (has_click (agree));

  for (guint i = 0; i < G_N_ELEMENTS (expected->vote); i++)
    {
      g_autoptr(AtspiAccessible) button = find_node (app, ATSPI_ROLE_PUSH_BUTTON,
                                                     expected->vote[i]);

      g_assert_nonnull (button);
      g_assert_false (node_has_state (button, ATSPI_STATE_SENSITIVE));
    }

  answer_a = find_answer (app, expected->model_a);
  g_assert_nonnull (answer_a);
  {
    g_autofree char *text = node_text (answer_a);

    /* No battle is even drawn before the consent. */
    g_assert_cmpstr (text, ==, "");
  }
  g_clear_object (&answer_a);

  leaks = scan_for_names (app, pack, &n_nodes);
  g_assert_cmpstr (leaks, ==, "");
  g_clear_pointer (&leaks, g_free);

  g_assert_true (do_click (agree));

  /* 2. The battle: four enabled vote buttons; nothing focused (checked below). */
  for (guint i = 0; i < G_N_ELEMENTS (expected->vote); i++)
    {
      g_autoptr(AtspiAccessible) button = wait_for_node (app, ATSPI_ROLE_PUSH_BUTTON,
                                                         expected->vote[i],
                                                         ATSPI_STATE_SENSITIVE, process);

      g_assert_true (node_has_state (button, ATSPI_STATE_FOCUSABLE));
      g_assert_true (has_click (button));
      if (i == 0)
        vote_a = g_steal_pointer (&button);
    }
  g_clear_object (&vote_a);
  vote_a = wait_for_node (app, ATSPI_ROLE_PUSH_BUTTON, expected->vote[0],
                          ATSPI_STATE_SENSITIVE, process);

  /* The answers: text objects named after their side, holding the answer, read-only. */
  answer_a = find_answer (app, expected->model_a);
  answer_b = find_answer (app, expected->model_b);
  g_assert_nonnull (answer_a);
  g_assert_nonnull (answer_b);
  deadline = deadline_in (STATE_DEADLINE_S);
  for (;;)
    {
      g_autofree char *text_a = node_text (answer_a);
      g_autofree char *text_b = node_text (answer_b);

      g_assert_nonnull (text_a);
      g_assert_nonnull (text_b);
      if (g_utf8_strlen (text_a, -1) > 20 && g_utf8_strlen (text_b, -1) > 20)
        {
          g_assert_cmpstr (text_a, !=, text_b);
          break;
        }
      g_assert_false (past (deadline));
      g_usleep (100 * 1000);
    }
  g_assert_true (node_has_state (answer_a, ATSPI_STATE_FOCUSABLE));
  g_assert_true (node_has_state (answer_b, ATSPI_STATE_FOCUSABLE));

  /* Nothing has the focus when a battle starts (issue 9): not answer A or B (a focus on
   * one side tells them apart) and no vote button (Enter or Space would cast a vote nobody
   * chose). Both answers stay focusable, for Tab. */
  g_assert_false (node_has_state (answer_a, ATSPI_STATE_FOCUSED));
  g_assert_false (node_has_state (answer_b, ATSPI_STATE_FOCUSED));
  for (guint i = 0; i < G_N_ELEMENTS (expected->vote); i++)
    {
      g_autoptr(AtspiAccessible) button = find_node (app, ATSPI_ROLE_PUSH_BUTTON,
                                                     expected->vote[i]);

      g_assert_nonnull (button);
      g_assert_false (node_has_state (button, ATSPI_STATE_FOCUSED));
    }
  g_assert_false (node_has_state (answer_a, ATSPI_STATE_EDITABLE));
  g_assert_false (node_has_state (answer_b, ATSPI_STATE_EDITABLE));

  /* No model name or organisation anywhere before the vote. */
  leaks = scan_for_names (app, pack, &n_nodes);
  g_test_message ("%u accessible objects scanned before the vote", n_nodes);
  if (leaks[0] != '\0')
    g_error ("model names exposed to assistive technologies before the vote:\n%s", leaks);
  g_clear_pointer (&leaks, g_free);

  /* 3. Vote through AT-SPI: "Next battle" becomes enabled and the result, naming the
   *    models, is exposed; the scan now finds the names, so it is not blind. */
  g_assert_true (do_click (vote_a));

  next = wait_for_node (app, ATSPI_ROLE_PUSH_BUTTON, expected->next, ATSPI_STATE_SENSITIVE,
                        process);
  recorded = find_node (app, ATSPI_ROLE_LABEL, expected->recorded);
  g_assert_nonnull (recorded);
  g_assert_false (node_has_state (vote_a, ATSPI_STATE_SENSITIVE));

  deadline = deadline_in (STATE_DEADLINE_S);
  do
    {
      g_clear_pointer (&leaks, g_free);
      leaks = scan_for_names (app, pack, &n_nodes);
      revealed = leaks[0] != '\0';
      if (!revealed)
        g_usleep (100 * 1000);
    }
  while (!revealed && !past (deadline));
  g_test_message ("after the vote:\n%s", leaks);
  g_assert_true (revealed);

  stop_app (process);

  /* The store agrees: one ballot, for the left answer, and the consent. */
  store = ka_store_open_read_only (db_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ka_store_count_ballots (store, KA_DELIVERY_PENDING, &error), ==, 1);
  g_assert_no_error (error);
  {
    g_autoptr(GPtrArray) ballots = ka_store_list_ballots (store, NULL, &error);
    const KaBallot *ballot;

    g_assert_no_error (error);
    g_assert_cmpuint (ballots->len, ==, 1);
    ballot = g_ptr_array_index (ballots, 0);
    g_assert_cmpint (ballot->winner, ==, KA_WINNER_MODEL_A);
    g_assert_cmpstr (ballot->ui_language, ==, expected->language);
  }
  consent = ka_store_get_meta (store, "consent.privacy");
  g_assert_nonnull (consent);
  g_assert_true (strstr (consent, "\"version\"") != NULL);
  g_clear_object (&store);

  {
    g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (tmpdir, name, NULL);

        g_unlink (path);
      }
    g_rmdir (tmpdir);
  }
}

/* Rendering probes ------------------------------------------------------------------- */

/* Every text and name in the tree, one per line: what a screen reader can get. */
static void
collect_spoken (AtspiAccessible *node,
                GString         *out,
                GString         *cells)
{
  g_autofree char *name = node_name (node);
  g_autofree char *text = node_text (node);
  AtspiRole role = atspi_accessible_get_role (node, NULL);
  int n;

  if (name[0] != '\0')
    g_string_append_printf (out, "%s\n", name);
  if (text != NULL && text[0] != '\0')
    {
      g_string_append_printf (out, "%s\n", text);
      if (role == ATSPI_ROLE_LABEL)
        g_string_append_printf (cells, "[%s]", text);
    }

  n = atspi_accessible_get_child_count (node, NULL);
  for (int i = 0; i < n; i++)
    {
      g_autoptr(AtspiAccessible) child = atspi_accessible_get_child_at_index (node, i, NULL);

      if (child != NULL)
        collect_spoken (child, out, cells);
    }
}

#define PROBE_KO \
  "수면은 6~8시간, 점진적으로 10~12시간까지 늘립니다. **State Corporation Commission (SCC)**에 문의하세요.\n\n" \
  "| 항목 | 값 |\n|---|--:|\n| 수면 | 6~8시간 |\n\n" \
  "```python\ndef 합계(값들):\n    return sum(값들)\n```\n\n" \
  "용해도곱 \\( K_{sp} \\)는:\n\\[\nK_{sp} = [A]^a [B]^b\n\\]\n"
#define PROBE_EN \
  "Sleep 6~8 h, then 10~12 h. Ask the **State Corporation Commission (SCC)**.\n\n" \
  "| Item | Value |\n|---|--:|\n| Sleep | 6~8 h |\n\n" \
  "```python\ndef total(values):\n    return sum(values)\n```\n\n" \
  "The product \\( K_{sp} \\) is:\n$$\nK_{sp} = [A]^a [B]^b\n$$\n"

static void
test_render_probes (void)
{
  const char *build_root = g_getenv ("KA_BUILD_ROOT");
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *pack_path = NULL;
  g_autofree char *app_path = NULL;
  g_autofree char *pack_json = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(AtspiAccessible) app = NULL;
  g_autoptr(AtspiAccessible) agree = NULL;
  g_autoptr(AtspiAccessible) vote = NULL;
  g_autoptr(GString) spoken = g_string_new (NULL);
  g_autoptr(GString) cells = g_string_new (NULL);
  g_autofree char *ksp = ka_tex_to_text ("K_{sp}", -1);
  g_autofree char *formula = ka_tex_to_text ("K_{sp} = [A]^a [B]^b", -1);
  gint64 deadline;
  static const char *meant[] = {
    "수면은 6~8시간, 점진적으로 10~12시간까지 늘립니다.",
    "State Corporation Commission (SCC)에 문의하세요.",
    "Sleep 6~8 h, then 10~12 h.",
    "Ask the State Corporation Commission (SCC).",
    "def 합계(값들):\n    return sum(값들)",
    "def total(values):\n    return sum(values)",
  };
  static const char *never[] = { "**", "|---", "\\(", "\\[", "$$", "\xe2\x81\xa0" /* U+2060 */ };

  if (build_root == NULL)
    {
      g_test_skip ("KA_BUILD_ROOT is not set: run through meson test");
      return;
    }
  if (!a11y_bus_available (&reason))
    {
      g_test_skip (reason);
      return;
    }

  app_path = g_build_filename (build_root, "src", "kai-arena", NULL);
  tmpdir = g_dir_make_tmp ("ka-test-a11y-XXXXXX", &error);
  g_assert_no_error (error);
  db_path = g_build_filename (tmpdir, "ballots.sqlite", NULL);
  pack_path = g_build_filename (tmpdir, "probes.json", NULL);
  {
    g_autoptr(JsonBuilder) builder = json_builder_new ();
    g_autoptr(JsonGenerator) generator = json_generator_new ();
    g_autoptr(JsonNode) root = NULL;
    const char *answers[2] = { PROBE_KO, PROBE_EN };

    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "format");
    json_builder_add_string_value (builder, "kai-arena-pack/1");
    json_builder_set_member_name (builder, "pack_id");
    json_builder_add_string_value (builder, "render-probes");
    json_builder_set_member_name (builder, "title");
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "ko");
    json_builder_add_string_value (builder, "렌더링 시험");
    json_builder_set_member_name (builder, "en");
    json_builder_add_string_value (builder, "Rendering probes");
    json_builder_end_object (builder);
    json_builder_set_member_name (builder, "language");
    json_builder_add_string_value (builder, "ko");
    json_builder_set_member_name (builder, "created_at");
    json_builder_add_string_value (builder, "2026-12-01T00:00:00Z");
    json_builder_set_member_name (builder, "models");
    json_builder_begin_array (builder);
    for (int m = 1; m <= 2; m++)
      {
        g_autofree char *id = g_strdup_printf ("m%d", m);

        json_builder_begin_object (builder);
        json_builder_set_member_name (builder, "model_id");
        json_builder_add_string_value (builder, id);
        json_builder_set_member_name (builder, "display_name");
        json_builder_add_string_value (builder, m == 1 ? "Probe One" : "Probe Two");
        json_builder_end_object (builder);
      }
    json_builder_end_array (builder);
    json_builder_set_member_name (builder, "prompts");
    json_builder_begin_array (builder);
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "prompt_id");
    json_builder_add_string_value (builder, "p1");
    json_builder_set_member_name (builder, "turns");
    json_builder_begin_array (builder);
    json_builder_add_string_value (builder, "시험");
    json_builder_end_array (builder);
    json_builder_end_object (builder);
    json_builder_end_array (builder);
    json_builder_set_member_name (builder, "responses");
    json_builder_begin_array (builder);
    for (int m = 1; m <= 2; m++)
      {
        g_autofree char *id = g_strdup_printf ("r%d", m);
        g_autofree char *model = g_strdup_printf ("m%d", m);

        json_builder_begin_object (builder);
        json_builder_set_member_name (builder, "response_id");
        json_builder_add_string_value (builder, id);
        json_builder_set_member_name (builder, "prompt_id");
        json_builder_add_string_value (builder, "p1");
        json_builder_set_member_name (builder, "model_id");
        json_builder_add_string_value (builder, model);
        json_builder_set_member_name (builder, "turns");
        json_builder_begin_array (builder);
        json_builder_add_string_value (builder, answers[m - 1]);
        json_builder_end_array (builder);
        json_builder_end_object (builder);
      }
    json_builder_end_array (builder);
    json_builder_end_object (builder);
    root = json_builder_get_root (builder);
    json_generator_set_root (generator, root);
    pack_json = json_generator_to_data (generator, NULL);
  }
  g_file_set_contents (pack_path, pack_json, -1, &error);
  g_assert_no_error (error);
  {
    g_autoptr(KaPack) pack = ka_pack_new_from_file (pack_path, &error);

    g_assert_no_error (error);
  }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_unsetenv (launcher, "GTK_A11Y");
  g_subprocess_launcher_setenv (launcher, "NO_AT_BRIDGE", "0", TRUE);
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", "en", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_setenv (launcher, "GDK_BACKEND", "x11", TRUE);
  g_subprocess_launcher_setenv (launcher, "ADW_DISABLE_PORTAL", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "GTK_USE_PORTAL", "0", TRUE);
  g_subprocess_launcher_setenv (launcher, "G_DEBUG", "gc-friendly", TRUE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, &error, app_path,
                                         "--pack", pack_path, "--database", db_path, NULL);
  g_assert_no_error (error);

  deadline = deadline_in (APP_DEADLINE_S);
  while ((app = find_application (atoi (g_subprocess_get_identifier (process)))) == NULL)
    {
      g_assert_false (process_gone (process));
      g_assert_false (past (deadline));
      g_usleep (100 * 1000);
    }
  atspi_accessible_set_cache_mask (app, ATSPI_CACHE_NONE);

  agree = wait_for_node (app, ATSPI_ROLE_PUSH_BUTTON, english.agree, ATSPI_STATE_FOCUSED, process);
  g_assert_true (do_click (agree));
  vote = wait_for_node (app, ATSPI_ROLE_PUSH_BUTTON, english.vote[0], ATSPI_STATE_SENSITIVE,
                        process);

  /* Both answers are on screen: read everything a screen reader can. */
  deadline = deadline_in (STATE_DEADLINE_S);
  for (;;)
    {
      g_string_truncate (spoken, 0);
      g_string_truncate (cells, 0);
      collect_spoken (app, spoken, cells);
      if (strstr (spoken->str, "def total") != NULL && strstr (spoken->str, "def 합계") != NULL)
        break;
      g_assert_false (past (deadline));
      g_usleep (200 * 1000);
    }
  g_test_message ("spoken:\n%s", spoken->str);

  for (gsize i = 0; i < G_N_ELEMENTS (meant); i++)
    if (strstr (spoken->str, meant[i]) == NULL)
      g_error ("a screen reader does not get “%s”", meant[i]);
  for (gsize i = 0; i < G_N_ELEMENTS (never); i++)
    if (strstr (spoken->str, never[i]) != NULL)
      g_error ("a screen reader gets Markdown or joiners: “%s”", never[i]);
  /* Table cells are cells of their own, each a label with one cell's text. */
  g_assert_nonnull (strstr (cells->str, "[항목][값][수면][6~8시간]"));
  g_assert_nonnull (strstr (cells->str, "[Item][Value][Sleep][6~8 h]"));
  /* Formulas, inline and display, as readable text. */
  g_assert_nonnull (strstr (spoken->str, ksp));
  g_assert_nonnull (strstr (spoken->str, formula));
  g_assert_nonnull (strstr (spoken->str, "Table, 2 rows, 2 columns"));

  stop_app (process);
  {
    g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (tmpdir, name, NULL);

        g_unlink (path);
      }
    g_rmdir (tmpdir);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* libatspi warns (log domain "dbind") when GTK 4.8 lacks an optional AT-SPI interface,
   * e.g. "Error in GetItems … /org/a11y/atspi/cache": not this app's fault, so warnings
   * are not fatal here (G_DEBUG=fatal-warnings). Criticals and failed asserts still are. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);

  /* libatspi reports an unreachable bus with a warning, which G_DEBUG=fatal-warnings
   * would turn into a crash: the test checks the bus itself first and skips. */
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") != NULL)
    atspi_init ();

  g_test_add_data_func ("/ka/a11y/battle/en", &english, test_battle);
  g_test_add_data_func ("/ka/a11y/battle/ko", &korean, test_battle);
  g_test_add_func ("/ka/a11y/render/probes", test_render_probes);

  return g_test_run ();
}
