/* ka-gui-test-support.c: what the widget tests share (ka-gui-test-support.h)
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-gui-test-support"

#include "config.h"

#include <dlfcn.h>
#include <glib/gi18n.h>
#include <adwaita.h>
#include <json-glib/json-glib.h>

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#include <X11/keysym.h>
#endif

#include "ka-gui-test-support.h"
#include "ka-test-support.h"

/* Start-up ------------------------------------------------------------------------- */

/* gtk_test_init() and adw_init(); @as_the_app adds what the app adds at start-up, for
 * tests that take screenshots: its style sheet, and its translations from the build tree
 * (used when such a test is run with LANGUAGE=ko; the checks run in C.UTF-8, in English). */
void
ka_gui_test_init (int       *argc,
                  char    ***argv,
                  gboolean   as_the_app)
{
  const char *build_root = g_getenv ("KA_BUILD_ROOT");
  g_autoptr(GtkCssProvider) css = NULL;

  gtk_test_init (argc, argv, NULL);
  adw_init ();

  if (!as_the_app)
    return;

  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/io/github/kaiarena/Arena/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  if (build_root != NULL)
    {
      g_autofree char *po = g_build_filename (build_root, "po", NULL);

      bindtextdomain (GETTEXT_PACKAGE, po);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }
}

/* The main loop ------------------------------------------------------------------- */

static gboolean
timed_out_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop for @ms milliseconds. */
void
ka_gui_test_pump (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, timed_out_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* Iterates the main loop until cond() holds. The 30 s limit only stops a hung test; it
 * asserts nothing about speed. */
void
ka_gui_test_wait_until (KaGuiTestCondition  cond,
                        gpointer            data,
                        const char         *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (30000, timed_out_cb, &timed_out);

  while (!cond (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (timed_out)
    g_error ("timed out waiting for %s", what);

  g_source_remove (id);
}

/* Runs whatever is ready, without blocking: the store's worker's last callbacks. */
void
ka_gui_test_flush (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* A KaGuiTestCondition on a KaSession. */
gboolean
ka_gui_test_session_is_revealed (gpointer session)
{
  return ka_session_get_state (KA_SESSION (session)) == KA_SESSION_STATE_REVEALED;
}

/* The widget tree ----------------------------------------------------------------- */

/* The first widget of @type in @widget's tree, depth first, or %NULL. */
GtkWidget *
ka_gui_test_find_by_type (GtkWidget *widget,
                          GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = ka_gui_test_find_by_type (c, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Adds every widget of @type in @widget's tree to @found, depth first. */
void
ka_gui_test_collect (GtkWidget *widget,
                     GType      type,
                     GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (found, widget);

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    ka_gui_test_collect (c, type, found);
}

/* The first actionable widget in @widget's tree whose action is @action_name, or %NULL. */
GtkWidget *
ka_gui_test_find_by_action (GtkWidget  *widget,
                            const char *action_name)
{
  if (GTK_IS_ACTIONABLE (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0)
    return widget;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = ka_gui_test_find_by_action (c, action_name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Packs, sessions, windows, applications ------------------------------------------- */

/* The shipped sample pack: data/packs/sample-ko.json in the source tree. */
char *
ka_gui_test_sample_pack_path (void)
{
  const char *root = g_getenv ("KA_SOURCE_ROOT");

  if (root != NULL)
    return g_build_filename (root, "data", "packs", "sample-ko.json", NULL);

  return g_test_build_filename (G_TEST_DIST, "..", "data", "packs", "sample-ko.json", NULL);
}

/* Writes @contents to @dir/@name. Returns: (transfer full): the path */
char *
ka_gui_test_write_file (const char *dir,
                        const char *name,
                        const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);

  return path;
}

/* The pack described by @pack as `kai-arena-pack/1` JSON: prompt IDs "p1", "p2", …,
 * response IDs "r<prompt>-<model>" (both counted from 1), category "general", language
 * "ko", a CC0 licence. Returns: (transfer full): the document, indented */
char *
ka_gui_test_pack_json (const KaGuiTestPack *pack)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, "kai-arena-pack/1");
  json_builder_set_member_name (b, "pack_id");
  json_builder_add_string_value (b, pack->pack_id);
  json_builder_set_member_name (b, "title");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ko");
  json_builder_add_string_value (b, pack->title_ko);
  json_builder_set_member_name (b, "en");
  json_builder_add_string_value (b, pack->title_en);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "language");
  json_builder_add_string_value (b, "ko");
  json_builder_set_member_name (b, "created_at");
  json_builder_add_string_value (b, "2026-11-29T00:00:00Z");

  if (!pack->sealed)
    {
      json_builder_set_member_name (b, "models");
      json_builder_begin_array (b);
      for (guint m = 0; m < pack->n_models; m++)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "model_id");
          json_builder_add_string_value (b, pack->models[m].model_id);
          json_builder_set_member_name (b, "display_name");
          json_builder_add_string_value (b, pack->models[m].display_name);
          json_builder_set_member_name (b, "organisation");
          json_builder_add_string_value (b, pack->models[m].organisation);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }

  json_builder_set_member_name (b, "prompts");
  json_builder_begin_array (b);
  for (guint p = 0; p < pack->n_prompts; p++)
    {
      g_autofree char *id = g_strdup_printf ("p%u", p + 1);
      const char * const *turns = pack->prompts + p * pack->n_turns;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "prompt_id");
      json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "category");
      json_builder_add_string_value (b, "general");
      json_builder_set_member_name (b, "turns");
      json_builder_begin_array (b);
      for (guint t = 0; t < pack->n_turns && turns[t] != NULL; t++)
        json_builder_add_string_value (b, turns[t]);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "responses");
  json_builder_begin_array (b);
  for (guint p = 0; p < pack->n_prompts; p++)
    for (guint m = 0; m < pack->n_models; m++)
      {
        g_autofree char *id = g_strdup_printf ("r%u-%u", p + 1, m + 1);
        g_autofree char *prompt_id = g_strdup_printf ("p%u", p + 1);
        const char * const *turns = pack->prompts + p * pack->n_turns;

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "response_id");
        json_builder_add_string_value (b, id);
        json_builder_set_member_name (b, "prompt_id");
        json_builder_add_string_value (b, prompt_id);
        if (!pack->sealed)
          {
            json_builder_set_member_name (b, "model_id");
            json_builder_add_string_value (b, pack->models[m].model_id);
          }
        json_builder_set_member_name (b, "turns");
        json_builder_begin_array (b);
        for (guint t = 0; t < pack->n_turns && turns[t] != NULL; t++)
          {
            g_autofree char *text = pack->answer (p, m, t, pack->answer_data);

            json_builder_add_string_value (b, text);
          }
        json_builder_end_array (b);
        json_builder_end_object (b);
      }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "licence");
  json_builder_add_string_value (b, "CC0-1.0 (test data)");
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return json_to_string (root, TRUE);
}

/* A session on @pack_path and a store at @db_path, made as the application makes it. */
KaSession *
ka_gui_test_open_session (const char *pack_path,
                          const char *db_path,
                          const char *ui_language,
                          KaMode      mode)
{
  g_autoptr(GError) error = NULL;
  KaSession *session;

  session = ka_application_create_session_for_mode (pack_path, db_path, ui_language, mode,
                                                    &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);

  return session;
}

/* A voting window as the application builds it: with the app's settings (its size and
 * text scale follow them, as in the app). Returns: (transfer full): not yet shown */
KaWindow *
ka_gui_test_new_window (GtkApplication *application,
                        KaSession      *session)
{
  g_autoptr(GSettings) settings = ka_application_new_settings ();

  return g_object_ref (g_object_new (KA_TYPE_WINDOW,
                                     "application", application,
                                     "session", session,
                                     "settings", settings,
                                     NULL));
}

/* ka_gui_test_new_window(), sized (unless @width is 0), shown and drawn once. */
KaWindow *
ka_gui_test_open_window (GtkApplication *application,
                         KaSession      *session,
                         int             width,
                         int             height)
{
  KaWindow *window = ka_gui_test_new_window (application, session);

  if (width > 0)
    gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  return window;
}

/* Destroys a window the test holds the only reference to, and checks that it is gone. */
void
ka_gui_test_destroy_window (gpointer window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* The end of a fixture: the window (a GtkWindow ** of any window type) destroyed, the
 * store's last callbacks run, the session finalized; both pointers cleared. Either may
 * hold %NULL. */
void
ka_gui_test_close (gpointer    window_ptr,
                   KaSession **session)
{
  GtkWindow **window = window_ptr;

  if (*window != NULL)
    ka_gui_test_destroy_window (g_steal_pointer (window));

  ka_gui_test_flush ();

  if (*session != NULL)
    g_assert_finalize_object (g_steal_pointer (session));
}

/* Closes the fixture's window and session (ka_gui_test_close()), removes its folder and
 * frees its paths. */
void
ka_gui_test_fixture_clear (KaGuiTestFixture *f)
{
  ka_gui_test_close (&f->window, &f->session);

  if (f->tmpdir != NULL)
    ka_test_remove_tree (f->tmpdir);
  g_clear_pointer (&f->tmpdir, g_free);
  g_clear_pointer (&f->pack_path, g_free);
  g_clear_pointer (&f->db_path, g_free);
}

/* The real application, registered (its startup adds the actions and accelerators the
 * kiosk removes) under an application ID of its own: each one exports its own D-Bus
 * object path. */
KaApplication *
ka_gui_test_register_application (const char *name)
{
  static guint serial;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup_printf ("%s.%s%u", APP_ID, name, ++serial);
  KaApplication *app = ka_application_new ();

  g_application_set_application_id (G_APPLICATION (app), id);
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  return app;
}

/* Runs @application on @argv (NULL-terminated, program name first) as a second instance
 * may not (G_APPLICATION_NON_UNIQUE), with @window_added connected to its "window-added"
 * for the time of the run: the test inspects the windows from there and quits.
 * Returns: the exit status */
int
ka_gui_test_run_application (KaApplication      *application,
                             const char * const *argv,
                             GCallback           window_added,
                             gpointer            data)
{
  GApplication *app = G_APPLICATION (application);
  gulong handler;
  int status;

  g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
  handler = g_signal_connect (app, "window-added", window_added, data);
  status = g_application_run (app, g_strv_length ((char **) argv), (char **) argv);
  g_signal_handler_disconnect (app, handler);

  return status;
}

/* Real input ------------------------------------------------------------------------ */
/* GTK 4.8 cannot inject input events, so they are sent with the X server's XTEST extension
 * (libXtst, loaded at run time): they go the whole way through GDK and the window's
 * controllers, like a voter's. Without an X11 display or libXtst the tests that need them
 * are skipped (ka_gui_test_have_xtest()). */

#ifdef GDK_WINDOWING_X11
typedef int     (*FakeKeyFunc)         (Display *, unsigned int, Bool, unsigned long);
typedef int     (*FakeButtonFunc)      (Display *, unsigned int, Bool, unsigned long);
typedef int     (*FakeMotionFunc)      (Display *, int, int, int, unsigned long);
typedef KeyCode (*KeysymToKeycodeFunc) (Display *, KeySym);
typedef int     (*SyncFunc)            (Display *, Bool);
typedef int     (*SetFocusFunc)        (Display *, Window, int, Time);

static struct {
  gboolean            loaded;
  FakeKeyFunc         fake_key;
  FakeButtonFunc      fake_button;
  FakeMotionFunc      fake_motion;
  KeysymToKeycodeFunc keysym_to_keycode;
  SyncFunc            sync;
  SetFocusFunc        set_focus;
} xt;

static Display *
xdisplay (void)
{
  return gdk_x11_display_get_xdisplay (gdk_display_get_default ());
}

static void
focus_window (GtkWindow *window)
{
  Window xid = gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (window)));

  xt.set_focus (xdisplay (), xid, 2 /* RevertToParent */, 0 /* CurrentTime */);
  xt.sync (xdisplay (), False);
}

static void
press_modifiers (KaGuiTestModifiers mods,
                 gboolean           press)
{
  Display *dpy = xdisplay ();

  if (mods & KA_GUI_TEST_MOD_CTRL)
    xt.fake_key (dpy, xt.keysym_to_keycode (dpy, XK_Control_L), press, 0);
  if (mods & KA_GUI_TEST_MOD_SHIFT)
    xt.fake_key (dpy, xt.keysym_to_keycode (dpy, XK_Shift_L), press, 0);
  if (mods & KA_GUI_TEST_MOD_ALT)
    xt.fake_key (dpy, xt.keysym_to_keycode (dpy, XK_Alt_L), press, 0);
}
#endif

gboolean
ka_gui_test_have_xtest (void)
{
#ifdef GDK_WINDOWING_X11
  static gsize once;

  if (g_once_init_enter (&once))
    {
      void *x11 = dlopen ("libX11.so.6", RTLD_NOW | RTLD_LOCAL);
      void *xtst = dlopen ("libXtst.so.6", RTLD_NOW | RTLD_LOCAL);

      if (x11 != NULL && xtst != NULL && GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
        {
          xt.fake_key = (FakeKeyFunc) dlsym (xtst, "XTestFakeKeyEvent");
          xt.fake_button = (FakeButtonFunc) dlsym (xtst, "XTestFakeButtonEvent");
          xt.fake_motion = (FakeMotionFunc) dlsym (xtst, "XTestFakeMotionEvent");
          xt.keysym_to_keycode = (KeysymToKeycodeFunc) dlsym (x11, "XKeysymToKeycode");
          xt.sync = (SyncFunc) dlsym (x11, "XSync");
          xt.set_focus = (SetFocusFunc) dlsym (x11, "XSetInputFocus");
          xt.loaded = xt.fake_key && xt.fake_button && xt.fake_motion &&
                      xt.keysym_to_keycode && xt.sync && xt.set_focus;
        }
      g_once_init_leave (&once, 1);
    }

  return xt.loaded;
#else
  return FALSE;
#endif
}

/* Presses and releases @keysym in @window with @mods held, then lets GTK handle the
 * events for 150 ms. */
void
ka_gui_test_send_key (GtkWindow          *window,
                      guint               keysym,
                      KaGuiTestModifiers  mods)
{
#ifdef GDK_WINDOWING_X11
  Display *dpy = xdisplay ();
  KeyCode code = xt.keysym_to_keycode (dpy, keysym);

  g_assert_cmpuint (code, !=, 0);
  focus_window (window);
  press_modifiers (mods, True);
  xt.fake_key (dpy, code, True, 0);
  xt.fake_key (dpy, code, False, 0);
  press_modifiers (mods, False);
  xt.sync (dpy, False);
  ka_gui_test_pump (150);
#endif
}

/* Presses (or releases) @keysym alone, then lets GTK handle it for 100 ms. */
void
ka_gui_test_send_key_state (GtkWindow *window,
                            guint      keysym,
                            gboolean   press)
{
#ifdef GDK_WINDOWING_X11
  Display *dpy = xdisplay ();

  focus_window (window);
  xt.fake_key (dpy, xt.keysym_to_keycode (dpy, keysym), press, 0);
  xt.sync (dpy, False);
  ka_gui_test_pump (100);
#endif
}

/* A tap at @widget's centre (the window sits at the screen's origin: Xvfb has no window
 * manager to move it). */
void
ka_gui_test_tap_widget (GtkWidget *widget,
                        gboolean   pump_after)
{
#ifdef GDK_WINDOWING_X11
  Display *dpy = xdisplay ();
  GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (widget));
  graphene_point_t centre = GRAPHENE_POINT_INIT (gtk_widget_get_width (widget) / 2.f,
                                                 gtk_widget_get_height (widget) / 2.f);
  graphene_point_t in_root;
  double nx = 0, ny = 0;

  g_assert_true (gtk_widget_compute_point (widget, root, &centre, &in_root));
  gtk_native_get_surface_transform (GTK_NATIVE (root), &nx, &ny);
  xt.fake_motion (dpy, -1, (int) (in_root.x + nx), (int) (in_root.y + ny), 0);
  xt.fake_button (dpy, 1, True, 0);
  xt.fake_button (dpy, 1, False, 0);
  xt.sync (dpy, False);
  if (pump_after)
    ka_gui_test_pump (150);
#endif
}

/* Moves the pointer to (@x, @y) on the screen; nothing without XTEST. */
void
ka_gui_test_move_pointer (int x,
                          int y)
{
#ifdef GDK_WINDOWING_X11
  if (!ka_gui_test_have_xtest ())
    return;

  xt.fake_motion (xdisplay (), -1, x, y, 0);
  xt.sync (xdisplay (), False);
  ka_gui_test_pump (50);
#endif
}
