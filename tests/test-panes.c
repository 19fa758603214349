/* test-panes.c: nothing tells answer A from answer B before the vote (issue 9).
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * At the start of every battle, in the desktop window and in a kiosk, on the real sample
 * pack: nothing has the keyboard focus and there is no default widget (so Enter or Space
 * cannot cast a vote nobody chose), and the two answers' widget trees are alike widget for
 * widget: type, state flags (focus, hover, backdrop, …), CSS classes, visibility, size and
 * scroll position. Then both sides are given the same answer and label and drawn offscreen
 * (GtkWidgetPaintable → GskRenderNode → GdkTexture) and compared pixel for pixel: equal
 * panes give equal pictures, so a focus ring, a fading frame or a scroll offset on one
 * side only is caught whatever its cause. Real key presses (XTEST) check that the vote
 * keys work with nothing focused, that Enter does nothing and that Tab enters the battle at
 * the prompt.
 */

#define G_LOG_DOMAIN "test-panes"

#include "config.h"

#include <dlfcn.h>
#include <string.h>
#include <glib/gstdio.h>
#include <adwaita.h>

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#include <X11/keysym.h>
#endif

#include "ka-application.h"
#include "ka-attract-view.h"
#include "ka-battle-view.h"
#include "ka-height-clamp.h"
#include "ka-kiosk.h"
#include "ka-response-view.h"
#include "ka-store.h"
#include "ka-window.h"

#define N_BATTLES 5

/* Per channel, out of 255: see same_pixels(). */
#define PIXEL_TOLERANCE 8

/* ------------------------------------------------------------------------------------ */
/* Real input through the X server's XTEST extension, loaded at run time as in
 * test-window.c. Without it the key checks are skipped, the rest still runs. */

#ifdef GDK_WINDOWING_X11
typedef int     (*FakeKeyFunc)         (Display *, unsigned int, Bool, unsigned long);
typedef int     (*FakeMotionFunc)      (Display *, int, int, int, unsigned long);
typedef KeyCode (*KeysymToKeycodeFunc) (Display *, KeySym);
typedef int     (*SyncFunc)            (Display *, Bool);
typedef int     (*SetFocusFunc)        (Display *, Window, int, Time);

static struct {
  gboolean            loaded;
  FakeKeyFunc         fake_key;
  FakeMotionFunc      fake_motion;
  KeysymToKeycodeFunc keysym_to_keycode;
  SyncFunc            sync;
  SetFocusFunc        set_focus;
} xt;
#endif

static gboolean
have_xtest (void)
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
          xt.fake_motion = (FakeMotionFunc) dlsym (xtst, "XTestFakeMotionEvent");
          xt.keysym_to_keycode = (KeysymToKeycodeFunc) dlsym (x11, "XKeysymToKeycode");
          xt.sync = (SyncFunc) dlsym (x11, "XSync");
          xt.set_focus = (SetFocusFunc) dlsym (x11, "XSetInputFocus");
          xt.loaded = xt.fake_key && xt.fake_motion && xt.keysym_to_keycode && xt.sync &&
                      xt.set_focus;
        }
      g_once_init_leave (&once, 1);
    }

  return xt.loaded;
#else
  return FALSE;
#endif
}

static gboolean
timed_out_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
pump (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, timed_out_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
wait_until (gboolean    (*cond) (gpointer),
            gpointer      data,
            const char   *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (30000, timed_out_cb, &timed_out);

  while (!cond (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("timed out waiting for %s", what);
  g_source_remove (id);
}

/* Presses and releases @keysym (with Shift if @shift) in @window. */
static void
send_key (GtkWindow *window,
          guint      keysym,
          gboolean   shift)
{
#ifdef GDK_WINDOWING_X11
  Display *dpy = gdk_x11_display_get_xdisplay (gdk_display_get_default ());
  Window xid = gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (window)));
  KeyCode code = xt.keysym_to_keycode (dpy, keysym);
  KeyCode shift_code = xt.keysym_to_keycode (dpy, XK_Shift_L);

  g_assert_cmpuint (code, !=, 0);
  xt.set_focus (dpy, xid, 2 /* RevertToParent */, 0 /* CurrentTime */);
  if (shift)
    xt.fake_key (dpy, shift_code, True, 0);
  xt.fake_key (dpy, code, True, 0);
  xt.fake_key (dpy, code, False, 0);
  if (shift)
    xt.fake_key (dpy, shift_code, False, 0);
  xt.sync (dpy, False);
  pump (150);
#endif
}

/* The pointer away from the window (which sits at the top left of the screen), so that
 * hover is the app's doing and not where Xvfb happened to leave the pointer. */
static void
park_pointer (void)
{
#ifdef GDK_WINDOWING_X11
  Display *dpy;

  if (!have_xtest ())
    return;
  dpy = gdk_x11_display_get_xdisplay (gdk_display_get_default ());
  xt.fake_motion (dpy, -1, 1270, 1015, 0);
  xt.sync (dpy, False);
  pump (50);
#endif
}

/* ------------------------------------------------------------------------------------ */
/* Comparing the two answers */

static void
collect (GtkWidget *widget,
         GType      type,
         GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (found, widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    collect (c, type, found);
}

static GtkWidget *
find_by_action (GtkWidget  *widget,
                const char *action_name)
{
  if (GTK_IS_ACTIONABLE (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_by_action (c, action_name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
get_panes (KaWindow        *window,
           KaResponseView **a,
           KaResponseView **b)
{
  g_autoptr(GPtrArray) views = g_ptr_array_new ();

  collect (GTK_WIDGET (ka_window_get_battle_view (window)), KA_TYPE_RESPONSE_VIEW, views);
  g_assert_cmpuint (views->len, ==, 2);
  *a = g_ptr_array_index (views, 0);
  *b = g_ptr_array_index (views, 1);
  g_assert_cmpstr (ka_response_view_get_label (*a), !=, ka_response_view_get_label (*b));
}

static char *
describe (GtkWidget *widget)
{
  g_auto(GStrv) classes = gtk_widget_get_css_classes (widget);
  g_autofree char *joined = g_strjoinv (".", classes);

  return g_strdup_printf ("%s(%s).%s", G_OBJECT_TYPE_NAME (widget),
                          gtk_widget_get_css_name (widget), joined);
}

static void
compare_adjustments (GtkAdjustment *a,
                     GtkAdjustment *b,
                     const char    *where,
                     const char    *what)
{
  /* Both at the top (or left): nothing scrolled on one side only. */
  if (gtk_adjustment_get_value (a) != gtk_adjustment_get_lower (a) ||
      gtk_adjustment_get_value (b) != gtk_adjustment_get_lower (b))
    g_error ("%s: %s scroll positions differ: A %.1f, B %.1f", where, what,
             gtk_adjustment_get_value (a), gtk_adjustment_get_value (b));
}

/* The rendered answer inside a pane's viewport is made of blocks (prose, tables, code,
 * formulas) that follow the answer, so the two sides' trees differ there by design (the
 * pictures, with one answer on both sides, compare those). What must hold on each side:
 * nothing in the answer is focused, hovered, pressed or selected, and no text view has a
 * selection or a cursor moved from the start. */
static void
check_answer_neutral (GtkWidget  *widget,
                      const char *where,
                      const char *side)
{
  g_autofree char *desc = describe (widget);

  if (gtk_widget_get_state_flags (widget) & (GTK_STATE_FLAG_FOCUSED |
                                             GTK_STATE_FLAG_FOCUS_WITHIN |
                                             GTK_STATE_FLAG_FOCUS_VISIBLE |
                                             GTK_STATE_FLAG_PRELIGHT | GTK_STATE_FLAG_ACTIVE |
                                             GTK_STATE_FLAG_SELECTED))
    g_error ("%s: %s in answer %s is focused, hovered, pressed or selected (state 0x%x)",
             where, desc, side, gtk_widget_get_state_flags (widget));
  if (gtk_widget_has_focus (widget))
    g_error ("%s: %s in answer %s has the keyboard focus", where, desc, side);
  if (GTK_IS_TEXT_VIEW (widget))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));
      GtkTextIter iter;

      g_assert_false (gtk_text_buffer_get_has_selection (buffer));
      gtk_text_buffer_get_iter_at_mark (buffer, &iter, gtk_text_buffer_get_insert (buffer));
      g_assert_cmpint (gtk_text_iter_get_offset (&iter), ==, 0);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    check_answer_neutral (child, where, side);
}

/* Walks the two subtrees side by side. Texts differ (the answers, "Model A" / "Model B"),
 * and with them the text views' heights and the scrollbars (a short answer needs none);
 * nothing else may. The pictures, with one answer on both sides, cover those. */
static void
compare_trees (GtkWidget  *a,
               GtkWidget  *b,
               const char *where)
{
  g_autofree char *desc_a = describe (a);
  g_autofree char *desc_b = describe (b);
  GtkWidget *ca, *cb;

  if (g_strcmp0 (desc_a, desc_b) != 0)
    g_error ("%s: the panes differ: %s against %s", where, desc_a, desc_b);
  /* Shown when the answer is longer than its pane: a matter of the text. */
  if (GTK_IS_SCROLLBAR (a))
    return;

  if (gtk_widget_get_state_flags (a) != gtk_widget_get_state_flags (b))
    g_error ("%s: %s has state flags 0x%x in A and 0x%x in B", where, desc_a,
             gtk_widget_get_state_flags (a), gtk_widget_get_state_flags (b));
  if (gtk_widget_get_state_flags (a) & (GTK_STATE_FLAG_FOCUSED | GTK_STATE_FLAG_FOCUS_WITHIN |
                                        GTK_STATE_FLAG_FOCUS_VISIBLE |
                                        GTK_STATE_FLAG_PRELIGHT | GTK_STATE_FLAG_ACTIVE |
                                        GTK_STATE_FLAG_SELECTED))
    g_error ("%s: %s is focused, hovered, pressed or selected (state 0x%x) on both sides",
             where, desc_a, gtk_widget_get_state_flags (a));
  if (gtk_widget_has_focus (a) || gtk_widget_has_focus (b))
    g_error ("%s: %s has the keyboard focus", where, desc_a);
  if (gtk_widget_get_visible (a) != gtk_widget_get_visible (b) ||
      gtk_widget_get_mapped (a) != gtk_widget_get_mapped (b))
    g_error ("%s: %s is shown on one side only", where, desc_a);
  if (gtk_widget_get_mapped (a) && !GTK_IS_LABEL (a) && !GTK_IS_TEXT_VIEW (a) &&
      (gtk_widget_get_width (a) != gtk_widget_get_width (b) ||
       gtk_widget_get_height (a) != gtk_widget_get_height (b)))
    g_error ("%s: %s is %dx%d in A and %dx%d in B", where, desc_a,
             gtk_widget_get_width (a), gtk_widget_get_height (a),
             gtk_widget_get_width (b), gtk_widget_get_height (b));
  if (gtk_widget_get_opacity (a) != gtk_widget_get_opacity (b))
    g_error ("%s: %s has opacity %.2f in A and %.2f in B", where, desc_a,
             gtk_widget_get_opacity (a), gtk_widget_get_opacity (b));

  if (GTK_IS_SCROLLED_WINDOW (a))
    {
      compare_adjustments (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (a)),
                           gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (b)),
                           where, "vertical");
      compare_adjustments (gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (a)),
                           gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (b)),
                           where, "horizontal");
    }

  if (GTK_IS_VIEWPORT (a))
    {
      check_answer_neutral (a, where, "A");
      check_answer_neutral (b, where, "B");
      return;
    }

  if (GTK_IS_TEXT_VIEW (a))
    {
      GtkTextBuffer *ba = gtk_text_view_get_buffer (GTK_TEXT_VIEW (a));
      GtkTextBuffer *bb = gtk_text_view_get_buffer (GTK_TEXT_VIEW (b));
      GtkTextIter ia, ib;

      g_assert_false (gtk_text_buffer_get_has_selection (ba));
      g_assert_false (gtk_text_buffer_get_has_selection (bb));
      gtk_text_buffer_get_iter_at_mark (ba, &ia, gtk_text_buffer_get_insert (ba));
      gtk_text_buffer_get_iter_at_mark (bb, &ib, gtk_text_buffer_get_insert (bb));
      g_assert_cmpint (gtk_text_iter_get_offset (&ia), ==, 0);
      g_assert_cmpint (gtk_text_iter_get_offset (&ib), ==, 0);
      g_assert_cmpint (gtk_text_view_get_cursor_visible (GTK_TEXT_VIEW (a)), ==,
                       gtk_text_view_get_cursor_visible (GTK_TEXT_VIEW (b)));
    }

  for (ca = gtk_widget_get_first_child (a), cb = gtk_widget_get_first_child (b);
       ca != NULL && cb != NULL;
       ca = gtk_widget_get_next_sibling (ca), cb = gtk_widget_get_next_sibling (cb))
    compare_trees (ca, cb, where);

  if (ca != NULL || cb != NULL)
    g_error ("%s: %s has a different number of children in A and B", where, desc_a);
}

/* @widget drawn offscreen, at its size, by its window's renderer. */
static GdkTexture *
render (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

/* Whether the two textures have the same pixels (to within PIXEL_TOLERANCE); on a
 * difference both are saved for a look and the number of differing pixels is returned in
 * @n_diff. */
static gboolean
same_pixels (GdkTexture *a,
             GdkTexture *b,
             const char *where,
             gsize      *n_diff)
{
  int width = gdk_texture_get_width (a);
  int height = gdk_texture_get_height (a);
  gsize stride = (gsize) width * 4;
  g_autofree guchar *pa = NULL;
  g_autofree guchar *pb = NULL;

  *n_diff = 0;
  if (width != gdk_texture_get_width (b) || height != gdk_texture_get_height (b))
    {
      *n_diff = G_MAXSIZE;
      return FALSE;
    }

  pa = g_malloc (stride * height);
  pb = g_malloc (stride * height);
  gdk_texture_download (a, pa, stride);
  gdk_texture_download (b, pb, stride);

  /* Glyph antialiasing may differ by a level or two between two draws of the same text
   * (the renderer's glyph cache); a focus ring, a frame or a shift differs by far more. */
  for (gsize i = 0; i < stride * height; i += 4)
    for (guint c = 0; c < 4; c++)
      if (ABS ((int) pa[i + c] - (int) pb[i + c]) > PIXEL_TOLERANCE)
        {
          (*n_diff)++;
          break;
        }

  if (*n_diff > 0 && where != NULL)
    {
      g_autofree char *name = g_strdelimit (g_strdup (where), " /:,", '-');
      g_autofree char *path_a = g_strdup_printf ("%s/test-panes-%s-A.png", g_get_tmp_dir (), name);
      g_autofree char *path_b = g_strdup_printf ("%s/test-panes-%s-B.png", g_get_tmp_dir (), name);

      gdk_texture_save_to_png (a, path_a);
      gdk_texture_save_to_png (b, path_b);
      g_test_message ("%s: %" G_GSIZE_FORMAT " pixels differ; see %s and %s", where, *n_diff,
                      path_a, path_b);
    }

  return *n_diff == 0;
}

/* same_pixels() without saving the pictures: a check while waiting. */
static gboolean
same_pixels_quiet (GdkTexture *a,
                   GdkTexture *b)
{
  gsize n_diff;

  return same_pixels (a, b, NULL, &n_diff);
}

/* The heart of the test, at the start of a battle (the first frame after it was shown). */
static void
check_equal_panes (KaWindow   *window,
                   const char *where)
{
  KaBattleView *view = ka_window_get_battle_view (window);
  KaSession *session = ka_battle_view_get_session (view);
  KaBattle *battle = ka_session_get_battle (session);
  KaResponseView *a, *b;
  g_autofree char *label_b = NULL;
  g_autoptr(GdkTexture) tex_a = NULL;
  g_autoptr(GdkTexture) tex_b = NULL;
  gsize n_diff;

  g_assert_cmpint (ka_session_get_state (session), ==, KA_SESSION_STATE_VOTING);
  g_assert_nonnull (battle);

  /* Nothing focused, nothing Enter would activate. */
  if (gtk_root_get_focus (GTK_ROOT (window)) != NULL)
    {
      g_autofree char *desc = describe (gtk_root_get_focus (GTK_ROOT (window)));

      g_error ("%s: the focus is on %s (%s) at the start of the battle", where, desc,
               GTK_IS_LABEL (gtk_root_get_focus (GTK_ROOT (window))) ?
               gtk_label_get_text (GTK_LABEL (gtk_root_get_focus (GTK_ROOT (window)))) : "");
    }
  g_assert_null (gtk_window_get_default_widget (GTK_WINDOW (window)));

  get_panes (window, &a, &b);
  compare_trees (GTK_WIDGET (a), GTK_WIDGET (b), where);

  /* The same answer and label on both sides, then the two pictures. Whatever else the app
   * did to one side (a focus ring, a frame still fading out, an offset) stays. */
  label_b = g_strdup (ka_response_view_get_label (b));
  ka_response_view_set_label (b, ka_response_view_get_label (a));
  ka_response_view_set_response (b, ka_battle_get_prompt (battle),
                                 ka_battle_get_response_a (battle));
  /* A's answer anew as well, so both sides' blocks are equally new: a text view lays its
   * lines out in idle time after it is shown, and an older side would be further along.
   * That resets nothing the app may have done to A itself (its state, classes, frame);
   * the scroll positions were compared above. */
  ka_response_view_set_response (a, ka_battle_get_prompt (battle),
                                 ka_battle_get_response_a (battle));
  g_assert_true (gtk_widget_get_width (GTK_WIDGET (a)) == gtk_widget_get_width (GTK_WIDGET (b)));
  /* Lay the new text out, but render at once: transitions run in frame time. B's answer
   * and A's are new blocks, laid out over a few frames; a difference that lasts is one
   * the app made. */
  for (guint frame = 0; frame < 120; frame++)
    {
      /* Idle work first (the text views' line layout), then a frame that allocates and
       * draws what it changed. */
      while (g_main_context_pending (NULL))
        g_main_context_iteration (NULL, FALSE);
      gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
      g_clear_object (&tex_a);
      g_clear_object (&tex_b);
      tex_a = render (GTK_WIDGET (a));
      tex_b = render (GTK_WIDGET (b));
      if (same_pixels_quiet (tex_a, tex_b))
        break;
    }
  if (!same_pixels (tex_a, tex_b, where, &n_diff))
    g_error ("%s: the two panes look different (%" G_GSIZE_FORMAT " pixels differ) with the "
             "same answer on both sides", where, n_diff);

  /* The battle as it was. */
  ka_response_view_set_label (b, label_b);
  ka_response_view_set_response (b, ka_battle_get_prompt (battle),
                                 ka_battle_get_response_b (battle));
  g_assert_null (gtk_root_get_focus (GTK_ROOT (window)));
}

/* ------------------------------------------------------------------------------------ */
/* Fixture: the real sample pack, a store in a temporary folder */

typedef struct
{
  char           *tmpdir;
  char           *db_path;
  KaApplication  *app;
  KaSession      *session;
  KaWindow       *window;
  KaKiosk        *kiosk;    /* (nullable) */
} Fixture;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  KaMode mode = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autofree char *pack_path = ka_application_find_default_pack ();
  static guint serial;
  g_autofree char *id = g_strdup_printf ("%s.PanesTest%u", APP_ID, ++serial);

  g_assert_nonnull (pack_path);
  f->tmpdir = g_dir_make_tmp ("ka-test-panes-XXXXXX", &error);
  g_assert_no_error (error);
  f->db_path = g_build_filename (f->tmpdir, "panes.sqlite", NULL);

  /* A registered application, as the kiosk expects (its actions and accelerators). */
  f->app = ka_application_new ();
  g_application_set_application_id (G_APPLICATION (f->app), id);
  g_application_set_flags (G_APPLICATION (f->app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (f->app), NULL, &error);
  g_assert_no_error (error);

  f->session = ka_application_create_session_for_mode (pack_path, f->db_path, "ko", mode,
                                                       &error);
  g_assert_no_error (error);

  f->window = g_object_ref (ka_window_new (GTK_APPLICATION (f->app), f->session));
  if (mode == KA_MODE_KIOSK)
    f->kiosk = ka_kiosk_attach (f->window);
  else
    gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 720);

  gtk_window_present (GTK_WINDOW (f->window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f->window));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_assert_finalize_object (f->window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->session);
  g_clear_object (&f->app);
  remove_tree (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->db_path);
}

static gboolean
state_is_revealed (gpointer data)
{
  return ka_session_get_state (KA_SESSION (data)) == KA_SESSION_STATE_REVEALED;
}

static gboolean
state_is_voting (gpointer data)
{
  return ka_session_get_state (KA_SESSION (data)) == KA_SESSION_STATE_VOTING;
}

static gboolean
kiosk_shows_battle (gpointer data)
{
  Fixture *f = data;

  return g_strcmp0 (ka_kiosk_get_page (f->kiosk), "visitor") == 0 &&
         ka_session_get_state (f->session) == KA_SESSION_STATE_VOTING;
}

/* Votes (by key when XTEST is there, else by action), waits for the reveal, then asks for
 * the next battle the same way. Alternates the choices: a frame left over from "A is
 * better" must not show on the next battle. */
static void
vote_and_go_on (Fixture *f,
                guint    battle)
{
  static const struct { guint keysym; const char *action; } votes[] = {
    { GDK_KEY_1, "battle.vote-a" },
    { GDK_KEY_2, "battle.vote-b" },
    { GDK_KEY_3, "battle.vote-tie" },
    { GDK_KEY_4, "battle.vote-both-bad" },
  };
  KaBattleView *view = ka_window_get_battle_view (f->window);
  guint v = battle % G_N_ELEMENTS (votes);

  if (have_xtest ())
    send_key (GTK_WINDOW (f->window), votes[v].keysym, FALSE);
  else
    gtk_widget_activate_action (GTK_WIDGET (view), votes[v].action, NULL);
  wait_until (state_is_revealed, f->session, "the reveal");

  /* "Next battle" has the focus after the vote. */
  g_assert_true (gtk_root_get_focus (GTK_ROOT (f->window)) ==
                 find_by_action (GTK_WIDGET (view), "battle.next"));

  if (have_xtest ())
    send_key (GTK_WINDOW (f->window), GDK_KEY_n, FALSE);
  else
    gtk_widget_activate_action (GTK_WIDGET (view), "battle.next", NULL);
  wait_until (state_is_voting, f->session, "the next battle");
}

static void
run_battles (Fixture    *f,
             const char *mode)
{
  for (guint i = 0; i < N_BATTLES; i++)
    {
      g_autofree char *where = g_strdup_printf ("%s battle %u", mode, i + 1);

      gtk_test_widget_wait_for_draw (GTK_WIDGET (f->window));
      check_equal_panes (f->window, where);
      vote_and_go_on (f, i);
    }
}

static void
test_citizen (Fixture       *f,
              gconstpointer  data)
{
  park_pointer ();
  g_assert_cmpstr (ka_window_get_page (f->window), ==, "battle");
  run_battles (f, "citizen");

  /* A new session (the "done" page's button) starts the same way. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "window.new-session", NULL);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f->window));
  check_equal_panes (f->window, "citizen new session");
}

static void
test_kiosk (Fixture       *f,
            gconstpointer  data)
{
  park_pointer ();
  g_assert_cmpstr (ka_kiosk_get_page (f->kiosk), ==, "attract");

  for (guint visitor = 0; visitor < 2; visitor++)
    {
      g_autofree char *where = g_strdup_printf ("kiosk visitor %u", visitor + 1);

      /* attract → battle, then several battles; then the next visitor after a wipe. */
      ka_attract_view_wake (ka_kiosk_get_attract_view (f->kiosk));
      wait_until (kiosk_shows_battle, f, "the battle after the wake");
      gtk_test_widget_wait_for_draw (GTK_WIDGET (f->window));
      check_equal_panes (f->window, where);
      /* Past the wake guard, the keys vote. */
      pump (KA_KIOSK_WAKE_GUARD_MS + 100);
      run_battles (f, where);
      ka_kiosk_wipe (f->kiosk);
      g_assert_cmpstr (ka_kiosk_get_page (f->kiosk), ==, "attract");
    }
}

/* A kiosk woken while its pack is still being read (issue 9): the visitor sees "Opening the
 * Battle Pack…"; when the session arrives the battle starts, unfocused, equal. */
static void
test_kiosk_loading (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pack_path = ka_application_find_default_pack ();
  g_autofree char *tmpdir = g_dir_make_tmp ("ka-test-panes-XXXXXX", &error);
  g_autofree char *db_path = g_build_filename (tmpdir, "panes.sqlite", NULL);
  g_autoptr(KaApplication) app = ka_application_new ();
  g_autoptr(KaSession) session = NULL;
  Fixture f = { 0 };

  g_application_set_application_id (G_APPLICATION (app), APP_ID ".PanesLoadingTest");
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  f.window = g_object_ref (ka_window_new (GTK_APPLICATION (app), NULL));
  f.kiosk = ka_kiosk_attach (f.window);
  gtk_window_present (GTK_WINDOW (f.window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f.window));
  park_pointer ();

  ka_attract_view_wake (ka_kiosk_get_attract_view (f.kiosk));
  while (g_strcmp0 (ka_kiosk_get_page (f.kiosk), "visitor") != 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (ka_window_get_page (f.window), ==, "loading");

  session = ka_application_create_session_for_mode (pack_path, db_path, "ko", KA_MODE_KIOSK,
                                                    &error);
  g_assert_no_error (error);
  f.session = session;
  ka_window_set_session (f.window, session);
  g_assert_cmpint (ka_session_get_state (session), ==, KA_SESSION_STATE_VOTING);
  g_assert_cmpstr (ka_window_get_page (f.window), ==, "battle");
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f.window));
  check_equal_panes (f.window, "kiosk woken while loading");

  gtk_window_destroy (GTK_WINDOW (f.window));
  g_assert_finalize_object (f.window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  f.session = NULL;
  g_assert_finalize_object (g_steal_pointer (&session));
  g_unlink (db_path);
  {
    g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
  remove_tree (tmpdir);
}

/* With nothing focused at the start of a battle: Enter and Space cast nothing, the vote
 * keys vote, and Tab enters the battle at the prompt, then answer A, then answer B;
 * Shift+Tab enters it at the last vote button. */
static void
test_keys (Fixture       *f,
           gconstpointer  data)
{
  KaBattleView *view = ka_window_get_battle_view (f->window);
  KaResponseView *a, *b;
  GtkWidget *focus;

  if (!have_xtest ())
    {
      g_test_skip ("no X11 display with the XTEST extension (libXtst)");
      return;
    }

  park_pointer ();
  get_panes (f->window, &a, &b);
  g_assert_null (gtk_root_get_focus (GTK_ROOT (f->window)));

  send_key (GTK_WINDOW (f->window), GDK_KEY_Return, FALSE);
  send_key (GTK_WINDOW (f->window), GDK_KEY_KP_Enter, FALSE);
  send_key (GTK_WINDOW (f->window), GDK_KEY_space, FALSE);
  g_assert_cmpint (ka_session_get_state (f->session), ==, KA_SESSION_STATE_VOTING);
  g_assert_null (gtk_root_get_focus (GTK_ROOT (f->window)));

  send_key (GTK_WINDOW (f->window), GDK_KEY_Tab, FALSE);
  focus = gtk_root_get_focus (GTK_ROOT (f->window));
  g_assert_nonnull (focus);
  g_assert_true (GTK_IS_LABEL (focus));
  g_assert_nonnull (gtk_widget_get_ancestor (focus, KA_TYPE_HEIGHT_CLAMP));
  send_key (GTK_WINDOW (f->window), GDK_KEY_Tab, FALSE);
  g_assert_true (gtk_root_get_focus (GTK_ROOT (f->window)) ==
                 GTK_WIDGET (ka_response_view_get_text_view (a)));
  send_key (GTK_WINDOW (f->window), GDK_KEY_Tab, FALSE);
  g_assert_true (gtk_root_get_focus (GTK_ROOT (f->window)) ==
                 GTK_WIDGET (ka_response_view_get_text_view (b)));

  /* The next battle starts unfocused again; Shift+Tab enters at "Both are bad". */
  send_key (GTK_WINDOW (f->window), GDK_KEY_2, FALSE);
  wait_until (state_is_revealed, f->session, "the reveal");
  send_key (GTK_WINDOW (f->window), GDK_KEY_Return, FALSE);
  wait_until (state_is_voting, f->session, "the next battle");
  g_assert_null (gtk_root_get_focus (GTK_ROOT (f->window)));
  send_key (GTK_WINDOW (f->window), GDK_KEY_Tab, TRUE);
  g_assert_true (gtk_root_get_focus (GTK_ROOT (f->window)) ==
                 find_by_action (GTK_WIDGET (view), "battle.vote-both-bad"));
  g_assert_cmpint (ka_session_get_state (f->session), ==, KA_SESSION_STATE_VOTING);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/ka/panes/citizen", Fixture, GINT_TO_POINTER (KA_MODE_CITIZEN),
              fixture_setup, test_citizen, fixture_teardown);
  g_test_add ("/ka/panes/kiosk", Fixture, GINT_TO_POINTER (KA_MODE_KIOSK),
              fixture_setup, test_kiosk, fixture_teardown);
  g_test_add_func ("/ka/panes/kiosk-loading", test_kiosk_loading);
  g_test_add ("/ka/panes/keys", Fixture, GINT_TO_POINTER (KA_MODE_CITIZEN),
              fixture_setup, test_keys, fixture_teardown);

  return g_test_run ();
}
