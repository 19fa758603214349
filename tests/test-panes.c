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

#include <string.h>
#include <adwaita.h>

#include "ka-application.h"
#include "ka-attract-view.h"
#include "ka-battle-view.h"
#include "ka-gui-test-support.h"
#include "ka-height-clamp.h"
#include "ka-kiosk.h"
#include "ka-response-view.h"
#include "ka-store.h"
#include "ka-test-support.h"
#include "ka-window.h"

#define N_BATTLES 5

/* Per channel, out of 255: see same_pixels(). */
#define PIXEL_TOLERANCE 8

/* The pointer away from the window (which sits at the top left of the screen), so that
 * hover is the app's doing and not where Xvfb happened to leave the pointer. */
static void
park_pointer (void)
{
  ka_gui_test_move_pointer (1270, 1015);
}

/* ------------------------------------------------------------------------------------ */
/* Comparing the two answers */

static void
get_panes (KaWindow        *window,
           KaResponseView **a,
           KaResponseView **b)
{
  g_autoptr(GPtrArray) views = g_ptr_array_new ();

  ka_gui_test_collect (GTK_WIDGET (ka_window_get_battle_view (window)), KA_TYPE_RESPONSE_VIEW, views);
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
  /* Up to ten seconds: a loaded machine lays text out slowly. */
  for (gint64 until = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
       g_get_monotonic_time () < until; )
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
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  KaMode mode = GPOINTER_TO_INT (data);
  g_autofree char *pack_path = ka_application_find_default_pack ();

  g_assert_nonnull (pack_path);
  f->tmpdir = ka_test_make_tmp_dir ("ka-test-panes-XXXXXX");
  f->db_path = g_build_filename (f->tmpdir, "panes.sqlite", NULL);

  /* A registered application, as the kiosk expects (its actions and accelerators). */
  f->app = ka_gui_test_register_application ("PanesTest");
  f->session = ka_gui_test_open_session (pack_path, f->db_path, "ko", mode);
  f->window = ka_gui_test_new_window (GTK_APPLICATION (f->app), f->session);
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
  ka_gui_test_close (&f->window, &f->session);
  g_clear_object (&f->app);
  ka_test_remove_tree (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->db_path);
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

  if (ka_gui_test_have_xtest ())
    ka_gui_test_send_key (GTK_WINDOW (f->window), votes[v].keysym, 0);
  else
    gtk_widget_activate_action (GTK_WIDGET (view), votes[v].action, NULL);
  ka_gui_test_wait_until (ka_gui_test_session_is_revealed, f->session, "the reveal");

  /* "Next battle" has the focus after the vote. */
  g_assert_true (gtk_root_get_focus (GTK_ROOT (f->window)) ==
                 ka_gui_test_find_by_action (GTK_WIDGET (view), "battle.next"));

  if (ka_gui_test_have_xtest ())
    ka_gui_test_send_key (GTK_WINDOW (f->window), GDK_KEY_n, 0);
  else
    gtk_widget_activate_action (GTK_WIDGET (view), "battle.next", NULL);
  ka_gui_test_wait_until (state_is_voting, f->session, "the next battle");
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
      ka_gui_test_wait_until (kiosk_shows_battle, f, "the battle after the wake");
      gtk_test_widget_wait_for_draw (GTK_WIDGET (f->window));
      check_equal_panes (f->window, where);
      /* Past the wake guard, the keys vote. */
      ka_gui_test_pump (KA_KIOSK_WAKE_GUARD_MS + 100);
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
  g_autofree char *pack_path = ka_application_find_default_pack ();
  g_autofree char *tmpdir = ka_test_make_tmp_dir ("ka-test-panes-XXXXXX");
  g_autofree char *db_path = g_build_filename (tmpdir, "panes.sqlite", NULL);
  g_autoptr(KaApplication) app = ka_gui_test_register_application ("PanesLoadingTest");
  Fixture f = { 0 };

  f.window = ka_gui_test_new_window (GTK_APPLICATION (app), NULL);
  f.kiosk = ka_kiosk_attach (f.window);
  gtk_window_present (GTK_WINDOW (f.window));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f.window));
  park_pointer ();

  ka_attract_view_wake (ka_kiosk_get_attract_view (f.kiosk));
  while (g_strcmp0 (ka_kiosk_get_page (f.kiosk), "visitor") != 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (ka_window_get_page (f.window), ==, "loading");

  f.session = ka_gui_test_open_session (pack_path, db_path, "ko", KA_MODE_KIOSK);
  ka_window_set_session (f.window, f.session);
  g_assert_cmpint (ka_session_get_state (f.session), ==, KA_SESSION_STATE_VOTING);
  g_assert_cmpstr (ka_window_get_page (f.window), ==, "battle");
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f.window));
  check_equal_panes (f.window, "kiosk woken while loading");

  ka_gui_test_close (&f.window, &f.session);
  ka_test_remove_tree (tmpdir);
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

  if (!ka_gui_test_have_xtest ())
    {
      g_test_skip ("no X11 display with the XTEST extension (libXtst)");
      return;
    }

  park_pointer ();
  get_panes (f->window, &a, &b);
  g_assert_null (gtk_root_get_focus (GTK_ROOT (f->window)));

  ka_gui_test_send_key (GTK_WINDOW (f->window), GDK_KEY_Return, 0);
  ka_gui_test_send_key (GTK_WINDOW (f->window), GDK_KEY_KP_Enter, 0);
  ka_gui_test_send_key (GTK_WINDOW (f->window), GDK_KEY_space, 0);
  g_assert_cmpint (ka_session_get_state (f->session), ==, KA_SESSION_STATE_VOTING);
  g_assert_null (gtk_root_get_focus (GTK_ROOT (f->window)));

  ka_gui_test_send_key (GTK_WINDOW (f->window), GDK_KEY_Tab, 0);
  focus = gtk_root_get_focus (GTK_ROOT (f->window));
  g_assert_nonnull (focus);
  g_assert_true (GTK_IS_LABEL (focus));
  g_assert_nonnull (gtk_widget_get_ancestor (focus, KA_TYPE_HEIGHT_CLAMP));
  ka_gui_test_send_key (GTK_WINDOW (f->window), GDK_KEY_Tab, 0);
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (f->window)),
                                         GTK_WIDGET (a)));
  /* An answer's blocks (prose, code, tables) each take the focus in turn; then B's. */
  for (guint presses = 0; ; presses++)
    {
      GtkWidget *now;

      g_assert_cmpuint (presses, <, 2000);
      ka_gui_test_send_key (GTK_WINDOW (f->window), GDK_KEY_Tab, 0);
      now = gtk_root_get_focus (GTK_ROOT (f->window));
      g_assert_nonnull (now);
      if (!gtk_widget_is_ancestor (now, GTK_WIDGET (a)))
        {
          /* B's first block that takes the focus (prose, or code or a table). */
          g_assert_true (gtk_widget_is_ancestor (now, GTK_WIDGET (b)));
          break;
        }
    }

  /* The next battle starts unfocused again; Shift+Tab enters at "Both are bad". */
  ka_gui_test_send_key (GTK_WINDOW (f->window), GDK_KEY_2, 0);
  ka_gui_test_wait_until (ka_gui_test_session_is_revealed, f->session, "the reveal");
  ka_gui_test_send_key (GTK_WINDOW (f->window), GDK_KEY_Return, 0);
  ka_gui_test_wait_until (state_is_voting, f->session, "the next battle");
  g_assert_null (gtk_root_get_focus (GTK_ROOT (f->window)));
  ka_gui_test_send_key (GTK_WINDOW (f->window), GDK_KEY_Tab, KA_GUI_TEST_MOD_SHIFT);
  g_assert_true (gtk_root_get_focus (GTK_ROOT (f->window)) ==
                 ka_gui_test_find_by_action (GTK_WIDGET (view), "battle.vote-both-bad"));
  g_assert_cmpint (ka_session_get_state (f->session), ==, KA_SESSION_STATE_VOTING);
}

int
main (int   argc,
      char *argv[])
{
  ka_gui_test_init (&argc, &argv, FALSE);

  g_test_add ("/ka/panes/citizen", Fixture, GINT_TO_POINTER (KA_MODE_CITIZEN),
              fixture_setup, test_citizen, fixture_teardown);
  g_test_add ("/ka/panes/kiosk", Fixture, GINT_TO_POINTER (KA_MODE_KIOSK),
              fixture_setup, test_kiosk, fixture_teardown);
  g_test_add_func ("/ka/panes/kiosk-loading", test_kiosk_loading);
  g_test_add ("/ka/panes/keys", Fixture, GINT_TO_POINTER (KA_MODE_CITIZEN),
              fixture_setup, test_keys, fixture_teardown);

  return g_test_run ();
}
