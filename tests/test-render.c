/* test-render.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-render"

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include <gtksourceview/gtksource.h>

#include "ka-code-view.h"
#include "ka-markdown.h"
#include "ka-markdown-table.h"
#include "ka-math-view.h"
#include "ka-response-view.h"
#include "ka-tex.h"

/* ---- helpers ---------------------------------------------------------------------- */

static void
load_style (void)
{
  static gboolean loaded;
  g_autoptr(GtkCssProvider) provider = NULL;

  if (loaded)
    return;
  loaded = TRUE;

  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/io/github/kaiarena/Arena/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

typedef struct
{
  GtkWindow      *window;
  KaResponseView *view;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  load_style ();
  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 640, 480);
  fixture->view = KA_RESPONSE_VIEW (ka_response_view_new ());
  ka_response_view_set_label (fixture->view, "Model A");
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->view));
  gtk_window_present (fixture->window);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_object_add_weak_pointer (G_OBJECT (fixture->view), (gpointer *) &fixture->view);
  gtk_window_destroy (fixture->window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (fixture->view);
}

static char *
view_text (KaResponseView *view)
{
  return ka_response_view_dup_text (view);
}

/* Lets GTK finish what it does in idle handlers (text layout is validated in chunks),
 * then draws once: deterministic, and no waiting on the frame clock per answer. */
static void
settle (GtkWidget *window)
{
  for (int i = 0; i < 3; i++)
    {
      while (g_main_context_pending (NULL))
        g_main_context_iteration (NULL, FALSE);
      gtk_test_widget_wait_for_draw (window);
    }
}

/* The blocks of the view with style class @css_class (NULL: all), in order. */
static GPtrArray *
blocks_with_class (KaResponseView *view,
                   const char     *css_class)
{
  GPtrArray *out = g_ptr_array_new ();
  GtkBox *box = ka_response_view_get_blocks (view);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (box)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (css_class == NULL || gtk_widget_has_css_class (child, css_class))
      g_ptr_array_add (out, child);

  return out;
}

/* Builds a prompt/response pair of @n turns around the given strings (borrowed). */
typedef struct
{
  KaPackPrompt   prompt;
  KaPackResponse response;
  char          *prompt_turns[4];
  char          *response_turns[4];
} Thread;

static void
thread_init (Thread     *thread,
             guint       n_turns,
             const char *first,
             const char *second)
{
  memset (thread, 0, sizeof *thread);
  thread->prompt_turns[0] = (char *) "question 1";
  thread->prompt_turns[1] = n_turns > 1 ? (char *) "question 2" : NULL;
  thread->response_turns[0] = (char *) first;
  thread->response_turns[1] = n_turns > 1 ? (char *) second : NULL;
  thread->prompt.prompt_id = (char *) "p1";
  thread->prompt.turns = thread->prompt_turns;
  thread->prompt.n_turns = n_turns;
  thread->response.response_id = (char *) "r1";
  thread->response.prompt_id = (char *) "p1";
  thread->response.turns = thread->response_turns;
  thread->response.n_turns = n_turns;
}

static GtkLabel *
find_label_with_text (GtkWidget  *root,
                      const char *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found;

      if (GTK_IS_LABEL (child) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (child)), text) == 0)
        return GTK_LABEL (child);
      found = find_label_with_text (child, text);
      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Every label under @root that is visible (with visible ancestors up to @root). */
static void
collect_visible_label_text (GtkWidget *root,
                            GString   *out)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_get_visible (child))
        continue;
      if (GTK_IS_LABEL (child))
        {
          g_string_append (out, gtk_label_get_text (GTK_LABEL (child)));
          g_string_append_c (out, '\n');
        }
      collect_visible_label_text (child, out);
    }
}

/* ---- widget behaviour ------------------------------------------------------------- */

static void
test_view_properties (Fixture       *fixture,
                      gconstpointer  data)
{
  GtkTextView *text_view = ka_response_view_get_text_view (fixture->view);
  GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (text_view), GTK_TYPE_SCROLLED_WINDOW);
  g_autofree char *label = NULL;

  g_assert_true (GTK_IS_TEXT_VIEW (text_view));
  g_assert_false (gtk_text_view_get_editable (text_view));
  g_assert_false (gtk_text_view_get_cursor_visible (text_view));
  g_assert_cmpint (gtk_text_view_get_wrap_mode (text_view), ==, GTK_WRAP_WORD_CHAR);
  g_assert_cmpint (gtk_text_view_get_left_margin (text_view), >, 0);
  g_assert_cmpint (gtk_text_view_get_right_margin (text_view), >, 0);
  g_assert_nonnull (scroller);
  g_assert_true (gtk_widget_is_ancestor (scroller, GTK_WIDGET (fixture->view)));
  g_assert_true (gtk_widget_get_vexpand (scroller));

  /* The heading is the caller's label, in a title-3 label. */
  g_assert_cmpstr (ka_response_view_get_label (fixture->view), ==, "Model A");
  g_object_get (fixture->view, "label", &label, NULL);
  g_assert_cmpstr (label, ==, "Model A");
  {
    GtkLabel *heading = find_label_with_text (GTK_WIDGET (fixture->view), "Model A");

    g_assert_nonnull (heading);
    g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (heading), "title-3"));
    ka_response_view_set_label (fixture->view, "모델 B");
    g_assert_cmpstr (gtk_label_get_text (heading), ==, "모델 B");
  }

  /* Accessible name of the text is the side label only. */
  gtk_test_accessible_assert_property (text_view, GTK_ACCESSIBLE_PROPERTY_LABEL, "모델 B");
}

static void
test_view_turns (Fixture       *fixture,
                 gconstpointer  data)
{
  Thread thread;
  g_autofree char *one = NULL;
  g_autofree char *two = NULL;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (ka_response_view_get_text_view (fixture->view));

  thread_init (&thread, 1, "Only **one** answer.", NULL);
  ka_response_view_set_response (fixture->view, &thread.prompt, &thread.response);
  one = view_text (fixture->view);
  g_assert_cmpstr (one, ==, "Only one answer.");

  thread_init (&thread, 2, "# First\n\nfirst answer", "second <b>answer</b>");
  ka_response_view_set_response (fixture->view, &thread.prompt, &thread.response);
  two = view_text (fixture->view);
  g_assert_cmpstr (two, ==, "Turn 1\nFirst\n\nfirst answer\n\nTurn 2\nsecond <b>answer</b>");

  /* The marker is small and dim, the answer is not. */
  {
    GtkTextIter iter;
    GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buffer);

    GtkTextTag *marker = gtk_text_tag_table_lookup (table, "ka-turn-marker");

    gtk_text_buffer_get_start_iter (buffer, &iter);
    g_assert_true (gtk_text_iter_has_tag (&iter, marker));
    g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "ka-dim")));
    gtk_text_buffer_get_iter_at_line (buffer, &iter, 1);
    g_assert_false (gtk_text_iter_has_tag (&iter, marker));
    g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "ka-h1")));
  }

  /* Without a prompt, the response's own turn count decides; NULL clears. */
  {
    g_autofree char *no_prompt = NULL;
    g_autofree char *cleared = NULL;

    ka_response_view_set_response (fixture->view, NULL, &thread.response);
    no_prompt = view_text (fixture->view);
    g_assert_true (g_str_has_prefix (no_prompt, "Turn 1\n"));
    ka_response_view_set_response (fixture->view, NULL, NULL);
    cleared = view_text (fixture->view);
    g_assert_cmpstr (cleared, ==, "");
  }

  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
}

static void
test_view_reveal (Fixture       *fixture,
                  gconstpointer  data)
{
  Thread thread;
  GtkLabel *name_label;
  g_autoptr(GString) shown = g_string_new (NULL);
  const char *evil = "<b>Evil</b> &amp; <span size=\"99999\">Co</span>\u202E";

  thread_init (&thread, 1, "answer", NULL);
  ka_response_view_set_response (fixture->view, &thread.prompt, &thread.response);

  /* Before the reveal, nothing but the label and the answer is visible. */
  collect_visible_label_text (GTK_WIDGET (fixture->view), shown);
  g_assert_cmpstr (shown->str, ==, "Model A\n");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (fixture->view), "chosen"));

  ka_response_view_reveal (fixture->view, evil, "Org & Sons", TRUE, "Your choice");
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));

  name_label = find_label_with_text (GTK_WIDGET (fixture->view),
                                     "<b>Evil</b> &amp; <span size=\"99999\">Co</span>⟨U+202E⟩"
                                     " · Org & Sons");
  g_assert_nonnull (name_label);
  g_assert_false (gtk_label_get_use_markup (name_label));
  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (name_label)));
  g_assert_nonnull (find_label_with_text (GTK_WIDGET (fixture->view), "Your choice"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (fixture->view), "chosen"));

  /* The text's accessible name never carries the model name. */
  gtk_test_accessible_assert_property (ka_response_view_get_text_view (fixture->view),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Model A");

  /* The other side: revealed, not chosen, no verdict. */
  ka_response_view_reveal (fixture->view, "Model X", NULL, FALSE, NULL);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (fixture->view), "chosen"));
  g_string_truncate (shown, 0);
  collect_visible_label_text (GTK_WIDGET (fixture->view), shown);
  g_assert_cmpstr (shown->str, ==, "Model A\nModel X\n");

  /* A new answer must never appear under the previous model's name. */
  ka_response_view_reveal (fixture->view, "Stale Model", "Org", TRUE, "Your choice");
  ka_response_view_set_response (fixture->view, &thread.prompt, &thread.response);
  g_string_truncate (shown, 0);
  collect_visible_label_text (GTK_WIDGET (fixture->view), shown);
  g_assert_cmpstr (shown->str, ==, "Model A\n");
  g_assert_null (find_label_with_text (GTK_WIDGET (fixture->view), "Stale Model · Org"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (fixture->view), "chosen"));
}

static void
test_view_clear (Fixture       *fixture,
                 gconstpointer  data)
{
  GtkTextView *text_view = ka_response_view_get_text_view (fixture->view);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (text_view);
  GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (text_view), GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *vadj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  GString *long_text = g_string_new (NULL);
  GtkTextIter a, b;
  g_autofree char *after = NULL;
  g_autoptr(GString) shown = g_string_new (NULL);
  Thread thread;

  for (int i = 0; i < 400; i++)
    g_string_append_printf (long_text, "Paragraph %d with some text.\n\n", i);
  thread_init (&thread, 1, long_text->str, NULL);
  ka_response_view_set_response (fixture->view, &thread.prompt, &thread.response);
  settle (GTK_WIDGET (fixture->window));

  /* A new answer starts at the top. */
  g_assert_cmpfloat (gtk_adjustment_get_value (vadj), ==, gtk_adjustment_get_lower (vadj));
  g_assert_cmpfloat (gtk_adjustment_get_upper (vadj), >, gtk_adjustment_get_page_size (vadj));

  gtk_adjustment_set_value (vadj, gtk_adjustment_get_upper (vadj));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
  g_assert_cmpfloat (gtk_adjustment_get_value (vadj), >, 0);
  gtk_text_buffer_get_iter_at_offset (buffer, &a, 10);
  gtk_text_buffer_get_iter_at_offset (buffer, &b, 200);
  gtk_text_buffer_select_range (buffer, &a, &b);
  g_assert_true (gtk_text_buffer_get_has_selection (buffer));
  ka_response_view_reveal (fixture->view, "Name", "Org", TRUE, "Your choice");

  ka_response_view_clear (fixture->view);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));

  after = view_text (fixture->view);
  g_assert_cmpstr (after, ==, "");
  g_assert_false (gtk_text_buffer_get_has_selection (buffer));
  g_assert_cmpfloat (gtk_adjustment_get_value (vadj), ==, 0);
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (fixture->view), "chosen"));
  collect_visible_label_text (GTK_WIDGET (fixture->view), shown);
  g_assert_cmpstr (shown->str, ==, "Model A\n");
  /* Not merely hidden: the name is gone from the widget tree (a11y, inspector). */
  g_assert_null (find_label_with_text (GTK_WIDGET (fixture->view), "Name · Org"));
  g_assert_cmpstr (ka_response_view_get_label (fixture->view), ==, "Model A");

  /* Clearing also happens when a scrolled-down view gets a new answer. */
  ka_response_view_set_response (fixture->view, &thread.prompt, &thread.response);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
  gtk_adjustment_set_value (vadj, gtk_adjustment_get_upper (vadj));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
  ka_response_view_set_response (fixture->view, &thread.prompt, &thread.response);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
  g_assert_cmpfloat (gtk_adjustment_get_value (vadj), ==, 0);

  g_string_free (long_text, TRUE);
}

static double
font_size_of (GtkWidget *widget)
{
  PangoContext *context = gtk_widget_get_pango_context (widget);
  PangoFontDescription *desc = pango_context_get_font_description (context);

  return (double) pango_font_description_get_size (desc) / PANGO_SCALE;
}

static void
notify_count_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
test_view_text_scale (Fixture       *fixture,
                      gconstpointer  data)
{
  GtkWidget *text_view = GTK_WIDGET (ka_response_view_get_text_view (fixture->view));
  Thread thread;
  double base, scaled;
  int height_1, height_2;
  guint notified = 0;

  thread_init (&thread, 1, "# Title\n\nSome text that is long enough to wrap a few times when "
                           "the window is narrow, and some more text after it.", NULL);
  ka_response_view_set_response (fixture->view, &thread.prompt, &thread.response);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
  base = font_size_of (text_view);
  g_assert_cmpfloat (base, >, 0);
  gtk_widget_measure (text_view, GTK_ORIENTATION_VERTICAL, 600, NULL, &height_1, NULL, NULL);

  g_signal_connect (fixture->view, "notify::text-scale", G_CALLBACK (notify_count_cb), &notified);
  ka_response_view_set_text_scale (fixture->view, 2.0);
  ka_response_view_set_text_scale (fixture->view, 2.0);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpfloat (ka_response_view_get_text_scale (fixture->view), ==, 2.0);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));

  /* Existing text grew. */
  scaled = font_size_of (text_view);
  g_assert_cmpfloat (scaled, >, base * 1.9);
  g_assert_cmpfloat (scaled, <, base * 2.1);
  gtk_widget_measure (text_view, GTK_ORIENTATION_VERTICAL, 600, NULL, &height_2, NULL, NULL);
  g_assert_cmpint (height_2, >, height_1 * 3 / 2);

  /* New text uses it too, and the range is clamped. */
  ka_response_view_set_response (fixture->view, &thread.prompt, &thread.response);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
  g_assert_cmpfloat (font_size_of (text_view), ==, scaled);
  g_object_set (fixture->view, "text-scale", 0.75, NULL);
  g_assert_cmpfloat (ka_response_view_get_text_scale (fixture->view), ==, 0.75);
  ka_response_view_set_text_scale (fixture->view, 9.0);
  g_assert_cmpfloat (ka_response_view_get_text_scale (fixture->view), ==, 2.0);
  ka_response_view_set_text_scale (fixture->view, 1.0);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));
  g_assert_cmpfloat (font_size_of (text_view), ==, base);
}

static void
test_view_links_inert (Fixture       *fixture,
                       gconstpointer  data)
{
  GtkTextView *text_view = ka_response_view_get_text_view (fixture->view);
  GtkWidget *plain = gtk_text_view_new ();
  g_autoptr(GListModel) ours = gtk_widget_observe_controllers (GTK_WIDGET (text_view));
  g_autoptr(GListModel) theirs = NULL;
  Thread thread;

  g_object_ref_sink (plain);
  theirs = gtk_widget_observe_controllers (plain);

  thread_init (&thread, 1, "[click me](https://phishing.example) https://auto.example", NULL);
  ka_response_view_set_response (fixture->view, &thread.prompt, &thread.response);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (fixture->window));

  /* No click or motion handler was added for links: same controllers as a stock view. */
  g_assert_cmpuint (g_list_model_get_n_items (ours), ==, g_list_model_get_n_items (theirs));
  g_assert_false (gtk_text_view_get_editable (text_view));
  {
    g_autofree char *text = view_text (fixture->view);

    g_assert_cmpstr (text, ==, "click me (https://phishing.example) https://auto.example");
  }

  g_clear_object (&theirs);
  g_object_unref (plain);
}

/* Keyboard reading: page and arrow keys on the focused answer scroll its column of blocks. */
static void
test_view_keys_scroll (Fixture       *fixture,
                       gconstpointer  data)
{
  GtkTextView *text_view = ka_response_view_get_text_view (fixture->view);
  GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (text_view), GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *vadj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (scroller);
  GtkEventController *keys = NULL;
  GString *long_text = g_string_new (NULL);
  Thread thread;
  gboolean handled = FALSE;

  for (int i = 0; i < 200; i++)
    g_string_append_printf (long_text, "문단 %d: 조금 긴 글입니다.\n\n", i);
  thread_init (&thread, 1, long_text->str, NULL);
  ka_response_view_set_response (fixture->view, &thread.prompt, &thread.response);
  settle (GTK_WIDGET (fixture->window));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
        keys = controller;
    }
  g_assert_nonnull (keys);
  g_assert_cmpint (gtk_event_controller_get_propagation_phase (keys), ==, GTK_PHASE_CAPTURE);

  g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Page_Down, 0, 0, &handled);
  g_assert_true (handled);
  g_assert_cmpfloat (gtk_adjustment_get_value (vadj), >, 0);
  g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_End, 0, 0, &handled);
  g_assert_cmpfloat (gtk_adjustment_get_value (vadj), ==,
                     gtk_adjustment_get_upper (vadj) - gtk_adjustment_get_page_size (vadj));
  g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Home, 0, 0, &handled);
  g_assert_cmpfloat (gtk_adjustment_get_value (vadj), ==, 0);
  /* Shift+arrows stay with the text view (selection); other keys go on. */
  g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Down, 0, GDK_SHIFT_MASK, &handled);
  g_assert_false (handled);
  g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_1, 0, 0, &handled);
  g_assert_false (handled);

  g_string_free (long_text, TRUE);
}

/* A table is a real grid: one selectable, wrapping label per cell, set as plain text, the
 * header row bold, columns lined up in pixels, in a scroller that scrolls sideways only. */
static void
test_view_table_grid (Fixture       *fixture,
                      gconstpointer  data)
{
  Thread thread;
  g_autoptr(GPtrArray) tables = NULL;
  GtkGrid *grid;
  GtkWidget *scroller;
  GtkPolicyType h, v;
  g_autofree char *text = NULL;
  const char *expected[4][2] = {
    { "이름", "x" }, { "iiiiiiii", "1" }, { "WWWWWWWW <b>", "2" }, { "김철수", "3" },
  };

  thread_init (&thread, 1,
               "앞\n\n| 이름 | x |\n|---|--:|\n| iiiiiiii | 1 |\n| WWWWWWWW <b> | 2 |\n| **김철수** | 3 |\n\n뒤",
               NULL);
  ka_response_view_set_response (fixture->view, &thread.prompt, &thread.response);
  settle (GTK_WIDGET (fixture->window));

  tables = blocks_with_class (fixture->view, "ka-table");
  g_assert_cmpuint (tables->len, ==, 1);
  scroller = g_ptr_array_index (tables, 0);
  gtk_scrolled_window_get_policy (GTK_SCROLLED_WINDOW (scroller), &h, &v);
  g_assert_cmpint (h, ==, GTK_POLICY_AUTOMATIC);
  g_assert_cmpint (v, ==, GTK_POLICY_NEVER);
  grid = ka_markdown_table_get_grid (scroller);

  for (int r = 0; r < 4; r++)
    {
      double x0 = -1;

      for (int c = 0; c < 2; c++)
        {
          GtkWidget *cell = gtk_grid_get_child_at (grid, c, r);
          graphene_point_t origin = GRAPHENE_POINT_INIT (0, 0), at;

          g_assert_true (GTK_IS_LABEL (cell));
          g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (cell)), ==, expected[r][c]);
          g_assert_false (gtk_label_get_use_markup (GTK_LABEL (cell)));
          g_assert_true (gtk_label_get_selectable (GTK_LABEL (cell)));
          g_assert_true (gtk_label_get_wrap (GTK_LABEL (cell)));
          g_assert_true (gtk_widget_has_css_class (cell, "ka-table-header") == (r == 0));
          g_assert_true (gtk_widget_compute_point (cell, GTK_WIDGET (grid), &origin, &at));
          if (c == 1)
            {
              /* Column 2 starts at the same x in every row, and is right-aligned. */
              static double column_x = -1;

              if (r == 0)
                column_x = at.x;
              g_assert_cmpfloat (at.x, ==, column_x);
              g_assert_cmpfloat (gtk_label_get_xalign (GTK_LABEL (cell)), ==, 1.0);
            }
          x0 = at.x;
        }
      g_assert_cmpfloat (x0, >, 0);
    }

  text = view_text (fixture->view);
  g_assert_cmpstr (text, ==, "앞\n\n이름\tx\niiiiiiii\t1\nWWWWWWWW <b>\t2\n김철수\t3\n\n\n뒤");
}

/* Code is a GtkSourceView that never wraps, highlighted from the fence's language. */
static void
test_view_code_block (Fixture       *fixture,
                      gconstpointer  data)
{
  Thread thread;
  g_autoptr(GPtrArray) codes = NULL;
  GtkTextView *view;
  GtkSourceBuffer *buffer;
  GtkSourceLanguage *language;
  GtkTextIter start, end;
  g_autofree char *code = NULL;
  GtkPolicyType h, v;
  const char *source =
    "설명:\n\n```python\ndef f(x):\n    return [i ** 2 for i in range(x) if i % 3 == 0 and i > 100 and i < 100000000]  # ~길다~\n```\n\n끝";

  thread_init (&thread, 1, source, NULL);
  ka_response_view_set_response (fixture->view, &thread.prompt, &thread.response);
  settle (GTK_WIDGET (fixture->window));

  codes = blocks_with_class (fixture->view, "ka-code");
  g_assert_cmpuint (codes->len, ==, 1);
  view = ka_code_view_get_view (g_ptr_array_index (codes, 0));
  g_assert_true (GTK_SOURCE_IS_VIEW (view));
  g_assert_cmpint (gtk_text_view_get_wrap_mode (view), ==, GTK_WRAP_NONE);
  g_assert_false (gtk_text_view_get_editable (view));
  g_assert_true (gtk_text_view_get_monospace (view));
  gtk_scrolled_window_get_policy (GTK_SCROLLED_WINDOW (g_ptr_array_index (codes, 0)), &h, &v);
  g_assert_cmpint (h, ==, GTK_POLICY_AUTOMATIC);
  buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (view));
  language = gtk_source_buffer_get_language (buffer);
  g_assert_nonnull (language);
  g_assert_cmpstr (gtk_source_language_get_id (language), ==, "python3");
  g_assert_nonnull (gtk_source_buffer_get_style_scheme (buffer));
  gtk_text_buffer_get_bounds (GTK_TEXT_BUFFER (buffer), &start, &end);
  code = gtk_text_buffer_get_text (GTK_TEXT_BUFFER (buffer), &start, &end, TRUE);
  g_assert_cmpstr (code, ==,
                   "def f(x):\n    return [i ** 2 for i in range(x) if i % 3 == 0 and i > 100 and i < 100000000]  # ~길다~");

  /* The long line is one display line: it scrolls, it does not wrap back to column 0. */
  {
    GtkTextIter line;
    int y_start, y_end, h1, h2;

    gtk_text_buffer_get_iter_at_line (GTK_TEXT_BUFFER (buffer), &line, 1);
    gtk_text_view_get_line_yrange (view, &line, &y_start, &h1);
    gtk_text_iter_forward_to_line_end (&line);
    gtk_text_iter_backward_char (&line);
    gtk_text_view_get_line_yrange (view, &line, &y_end, &h2);
    g_assert_cmpint (y_start, ==, y_end);
    {
      GdkRectangle first_char, last_char;
      GtkTextIter a;

      gtk_text_buffer_get_iter_at_line (GTK_TEXT_BUFFER (buffer), &a, 1);
      gtk_text_view_get_iter_location (view, &a, &first_char);
      gtk_text_view_get_iter_location (view, &line, &last_char);
      g_assert_cmpint (first_char.y, ==, last_char.y);
      g_assert_cmpint (last_char.x, >, gtk_widget_get_width (g_ptr_array_index (codes, 0)));
    }
  }
}

/* Math in every delimiter real answers use: display formulas are KaMathView blocks,
 * inline ones go through ka_math_insert_inline(); no delimiter is left in the text. */
static void
test_view_math (Fixture       *fixture,
                gconstpointer  data)
{
  Thread thread;
  g_autoptr(GPtrArray) maths = NULL;
  g_autofree char *text = NULL;
  g_autofree char *ksp = ka_tex_to_text ("K_{sp}", -1);
  GtkWidget *child;

  thread_init (&thread, 1,
               "용해도곱 \\( K_{sp} \\)는 다음과 같다:\n\\[\nK_{sp} = [A]^a [B]^b\n\\]\n"
               "그리고 $$\\frac{1}{2}$$ 또한 $e^{i\\pi} + 1 = 0$ 이며, 값은 $5 and $10.",
               NULL);
  ka_response_view_set_response (fixture->view, &thread.prompt, &thread.response);
  settle (GTK_WIDGET (fixture->window));

  maths = blocks_with_class (fixture->view, "ka-math-display");
  g_assert_cmpuint (maths->len, ==, 2);
  child = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (g_ptr_array_index (maths, 0)));
  if (GTK_IS_VIEWPORT (child))
    child = gtk_viewport_get_child (GTK_VIEWPORT (child));
  g_assert_true (KA_IS_MATH_VIEW (child));
  g_assert_cmpstr (ka_math_view_get_tex (KA_MATH_VIEW (child)), ==, "K_{sp} = [A]^a [B]^b");
  g_assert_cmpint (gtk_widget_get_halign (child), ==, GTK_ALIGN_CENTER);

  text = view_text (fixture->view);
  g_assert_nonnull (strstr (text, ksp));
  /* Inline, a script with letters is raised text ("eiπ" with "iπ" raised), so the
   * buffer holds the formula's characters, not ka_tex_to_text()'s reading of it. */
  g_assert_nonnull (strstr (text, "π + 1 = 0"));
  g_assert_null (strstr (text, "\\pi"));
  g_assert_nonnull (strstr (text, "값은 $5 and $10."));
  g_assert_null (strstr (text, "\\("));
  g_assert_null (strstr (text, "\\["));
  g_assert_null (strstr (text, "$$"));
}

/* What the model wrote stays: single tildes, bold before a Korean particle, collapsed
 * runs of white space; Korean words are kept whole when lines wrap. */
static void
test_view_meaning (Fixture       *fixture,
                   gconstpointer  data)
{
  Thread thread;
  g_autofree char *text = NULL;
  GtkTextView *view = ka_response_view_get_text_view (fixture->view);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buffer);
  GString *spaces = g_string_new ("| a | b |\n|---|---|\n| 넓은");
  GtkTextIter iter;

  thread_init (&thread, 1,
               "6~8시간, 점진적으로 10~12시간. ~~취소~~\n\n"
               "**State Corporation Commission (SCC)**에 문의하세요.", NULL);
  ka_response_view_set_response (fixture->view, &thread.prompt, &thread.response);
  settle (GTK_WIDGET (fixture->window));
  text = view_text (fixture->view);
  g_assert_cmpstr (text, ==,
                   "6~8시간, 점진적으로 10~12시간. 취소\n\n"
                   "State Corporation Commission (SCC)에 문의하세요.");
  gtk_text_buffer_get_iter_at_offset (buffer, &iter, 1);
  g_assert_false (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "ka-strike")));
  gtk_text_buffer_get_iter_at_offset (buffer, &iter, g_utf8_strlen ("6~8시간, 점진적으로 10~12시간. ", -1));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "ka-strike")));
  g_assert_true (gtk_text_iter_forward_search (&iter, "State", 0, &iter, NULL, NULL));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "ka-bold")));
  /* "점진적으로" is one unbreakable word for Pango; the spaces around it are not. */
  gtk_text_buffer_get_start_iter (buffer, &iter);
  g_assert_true (gtk_text_iter_forward_search (&iter, "진적", 0, &iter, NULL, NULL));
  g_assert_true (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "ka-keep-all")));
  gtk_text_iter_backward_chars (&iter, 2);
  g_assert_cmpint (gtk_text_iter_get_char (&iter), ==, ' ');
  g_assert_false (gtk_text_iter_has_tag (&iter, gtk_text_tag_table_lookup (table, "ka-keep-all")));

  /* A degenerate answer: 30,000 spaces inside a table cell collapse to one. */
  g_string_append_len (spaces, "", 0);
  for (int i = 0; i < 30000; i++)
    g_string_append_c (spaces, ' ');
  g_string_append (spaces, "칸 | 2 |\n");
  thread_init (&thread, 1, spaces->str, NULL);
  ka_response_view_set_response (fixture->view, &thread.prompt, &thread.response);
  settle (GTK_WIDGET (fixture->window));
  g_free (text);
  text = view_text (fixture->view);
  g_assert_cmpstr (text, ==, "a\tb\n넓은 칸\t2\n");
  g_string_free (spaces, TRUE);
}

/* Korean wraps between words: at a narrow width, every line of a Korean paragraph starts
 * at the start of a word (after a space), never inside one. */
static void
test_view_korean_wrap (Fixture       *fixture,
                       gconstpointer  data)
{
  Thread thread;
  GtkTextView *view = ka_response_view_get_text_view (fixture->view);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter iter;
  guint n_lines = 0;

  gtk_window_set_default_size (fixture->window, 300, 480);
  thread_init (&thread, 1,
               "데이터를 저장하지 않고 바로 처리하는 스트리밍 방식은 메모리를 절약하면서도 "
               "대용량 파일을 효율적으로 다룰 수 있게 해 주며, 실시간 분석에도 적합합니다.", NULL);
  ka_response_view_set_response (fixture->view, &thread.prompt, &thread.response);
  settle (GTK_WIDGET (fixture->window));

  gtk_text_buffer_get_start_iter (buffer, &iter);
  while (gtk_text_view_forward_display_line (view, &iter) && !gtk_text_iter_is_end (&iter))
    {
      GtkTextIter before = iter;

      n_lines++;
      gtk_text_iter_backward_char (&before);
      g_assert_cmpint (gtk_text_iter_get_char (&before), ==, ' ');
    }
  g_assert_cmpuint (n_lines, >=, 3);
}

/* ---- golden screenshots ------------------------------------------------------------ */

/* Per channel, a pixel differs when any channel is off by more than this; a probe fails
 * when more than GOLDEN_BUDGET of its pixels differ (antialiasing noise stays below). */
#define GOLDEN_TOLERANCE 24
#define GOLDEN_BUDGET    0.005

static const struct
{
  const char *name;
  const char *label;
  const char *markdown;
} golden_probes[] = {
  { "table-ko", "모델 A",
    "| 항목 | 값 | 설명 |\n|:--|--:|:-:|\n| 수면 | 6~8시간 | 점진적으로 10~12시간까지 늘립니다 |\n"
    "| **기간** | 3 | 주 단위 |" },
  { "table-en", "Model A",
    "| Item | Value | Note |\n|:--|--:|:-:|\n| Sleep | 6~8 h | gradually up to 10~12 h |\n"
    "| **Span** | 3 | weeks |" },
  { "code-ko", "모델 A",
    "예시:\n\n```python\ndef 합계(값들):\n    return sum(v for v in 값들 if v is not None and v > 0 and v < 1000000)  # 긴 줄은 가로로 스크롤\n```" },
  { "code-en", "Model A",
    "Example:\n\n```python\ndef total(values):\n    return sum(v for v in values if v is not None and v > 0 and v < 1000000)  # long lines scroll\n```" },
  { "formula-ko", "모델 A",
    "용해도곱 \\( K_{sp} \\)는 다음과 같습니다:\n\\[\nK_{sp} = [A]^a [B]^b\n\\]" },
  { "formula-en", "Model A",
    "The solubility product \\( K_{sp} \\) is:\n\\[\nK_{sp} = [A]^a [B]^b\n\\]" },
  { "paragraph-ko", "모델 A",
    "**State Corporation Commission (SCC)**에 문의하세요. 데이터를 저장하지 않고 바로 처리하는 "
    "스트리밍 방식은 메모리를 절약하면서도 대용량 파일을 효율적으로 다룰 수 있게 해 줍니다." },
  { "paragraph-en", "Model A",
    "Ask the **State Corporation Commission (SCC)**. Streaming data instead of storing it "
    "saves memory and lets you handle large files efficiently." },
};

static GdkTexture *
snapshot_widget (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

static guchar *
texture_pixels (GdkTexture *texture)
{
  gsize stride = gdk_texture_get_width (texture) * 4;
  guchar *data = g_malloc (stride * gdk_texture_get_height (texture));

  gdk_texture_download (texture, data, stride);
  return data;
}

/* Compares @texture with tests/data/golden/@name.png; KA_UPDATE_GOLDEN=1 rewrites it. */
static void
assert_golden (GdkTexture *texture,
               const char *name)
{
  g_autofree char *file = g_strdup_printf ("%s.png", name);
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "golden", file, NULL);
  g_autoptr(GdkTexture) expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guchar *a = NULL;
  g_autofree guchar *b = NULL;
  gsize n_pixels;
  gsize n_differ = 0;

  if (g_strcmp0 (g_getenv ("KA_UPDATE_GOLDEN"), "1") == 0)
    {
      g_autofree char *dir = g_path_get_dirname (path);

      g_mkdir_with_parents (dir, 0755);
      g_assert_true (gdk_texture_save_to_png (texture, path));
      g_test_message ("rewrote %s", path);
      return;
    }

  expected = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (expected), ==, gdk_texture_get_width (texture));
  g_assert_cmpint (gdk_texture_get_height (expected), ==, gdk_texture_get_height (texture));

  a = texture_pixels (texture);
  b = texture_pixels (expected);
  n_pixels = (gsize) gdk_texture_get_width (texture) * gdk_texture_get_height (texture);
  for (gsize i = 0; i < n_pixels; i++)
    for (int c = 0; c < 4; c++)
      if (ABS ((int) a[i * 4 + c] - (int) b[i * 4 + c]) > GOLDEN_TOLERANCE)
        {
          n_differ++;
          break;
        }

  g_test_message ("%s: %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " pixels differ", name, n_differ, n_pixels);
  if (n_differ > n_pixels * GOLDEN_BUDGET)
    {
      g_autofree char *actual = g_strdup_printf ("%s/golden-%s-actual.png", g_get_tmp_dir (), name);

      gdk_texture_save_to_png (texture, actual);
      g_error ("%s differs from %s in %" G_GSIZE_FORMAT " pixels (actual: %s)", name, path, n_differ, actual);
    }
}

static void
test_golden (Fixture       *fixture,
             gconstpointer  data)
{
  static const double scales[] = { 1.0, 2.0 };
  Thread thread;

  if (g_getenv ("DISPLAY") == NULL)
    {
      g_test_skip ("golden screenshots need the Xvfb display");
      return;
    }

  /* Light style, fixed size: the same pixels on every run. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);
  for (gsize s = 0; s < G_N_ELEMENTS (scales); s++)
    for (gsize i = 0; i < G_N_ELEMENTS (golden_probes); i++)
      {
        g_autoptr(GdkTexture) texture = NULL;
        g_autofree char *name = g_strdup_printf ("%s-%d", golden_probes[i].name,
                                                 (int) (scales[s] * 100));

        gtk_widget_set_size_request (GTK_WIDGET (fixture->view), 520, scales[s] > 1 ? 520 : 300);
        ka_response_view_set_label (fixture->view, golden_probes[i].label);
        ka_response_view_set_text_scale (fixture->view, scales[s]);
        thread_init (&thread, 1, golden_probes[i].markdown, NULL);
        ka_response_view_set_response (fixture->view, &thread.prompt, &thread.response);
        settle (GTK_WIDGET (fixture->window));

        texture = snapshot_widget (GTK_WIDGET (fixture->view));
        assert_golden (texture, name);
      }
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
}

/* ---- real answers ----------------------------------------------------------------- */

static char *
find_data_dir (const char *relative)
{
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");
  const char *shared = g_getenv ("KA_SHARED_DATA");
  g_autofree char *local = NULL;

  if (srcdir != NULL)
    {
      local = g_build_filename (srcdir, "data", relative, NULL);
      if (g_file_test (local, G_FILE_TEST_IS_DIR))
        return g_steal_pointer (&local);
    }
  if (shared != NULL)
    {
      g_autofree char *path = g_build_filename (shared, relative, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        return g_steal_pointer (&path);
    }

  return NULL;
}

/* All "*.jsonl" files under @dir, recursively, sorted. */
static void
collect_jsonl (const char *dir,
               GPtrArray  *out)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        collect_jsonl (path, out);
      else if (g_str_has_suffix (name, ".jsonl"))
        g_ptr_array_add (out, g_steal_pointer (&path));
    }
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The answer turns of one JSON line, in any of the three source layouts:
 * FastChat (MT-bench): choices[0].turns[] strings; ko-arena-hard: choices[0].turns[].content;
 * LogicKor: outputs[]. */
static GPtrArray *
answer_turns (JsonObject *object)
{
  GPtrArray *turns = g_ptr_array_new ();
  JsonArray *array = NULL;

  if (json_object_has_member (object, "choices"))
    {
      JsonArray *choices = json_object_get_array_member (object, "choices");
      JsonObject *choice = json_array_get_object_element (choices, 0);

      array = json_object_get_array_member (choice, "turns");
    }
  else if (json_object_has_member (object, "outputs"))
    {
      array = json_object_get_array_member (object, "outputs");
    }
  g_assert_nonnull (array);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_OBJECT (node))
        g_ptr_array_add (turns,
                         (gpointer) json_object_get_string_member (json_node_get_object (node),
                                                                   "content"));
      else
        g_ptr_array_add (turns, (gpointer) json_node_get_string (node));
    }
  g_ptr_array_add (turns, NULL);

  return turns;
}

static gboolean
has_visible_text (const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return TRUE;
  return FALSE;
}

/* ---- corpus checks: what a reader sees holds no Markdown and loses nothing -------- */

typedef struct
{
  guint answers;
  guint stars;          /* "**" left in prose */
  guint table_syntax;   /* "|---" or a "| a | b |" line left in prose */
  guint math_syntax;    /* "\(", "\[" or "$$" left in prose */
  guint lost_tildes;    /* fewer single '~' shown than written */
  guint tables;         /* tables written */
  guint tables_lost;    /* tables not shown as a grid of cells */
  guint codes;          /* fenced code blocks written */
  guint codes_lost;     /* code blocks not in a non-wrapping code view */
} Counts;

/* Prose text of a prose view, without inline code (which may hold "**" or "$$"). */
static void
append_prose_text (GtkTextView *view,
                   GString     *out)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextTag *code = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), "ka-code");
  GtkTextIter iter, end;

  gtk_text_buffer_get_bounds (buffer, &iter, &end);
  while (!gtk_text_iter_equal (&iter, &end))
    {
      GtkTextIter next = iter;

      if (!gtk_text_iter_forward_to_tag_toggle (&next, code))
        next = end;
      if (!gtk_text_iter_has_tag (&iter, code))
        {
          g_autofree char *piece = gtk_text_buffer_get_text (buffer, &iter, &next, TRUE);

          g_string_append (out, piece);
        }
      g_string_append_c (out, '\n');
      iter = next;
    }
}

static guint
count_single_tildes (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p != '\0'; p++)
    if (*p == '~' && (p == text || p[-1] != '~') && p[1] != '~')
      n++;

  return n;
}

static gboolean
is_delimiter_row (const char *line)
{
  guint dashes = 0;
  gboolean pipe = FALSE;

  for (const char *p = line; *p != '\0'; p++)
    {
      if (*p == '-')
        dashes++;
      else if (*p == '|')
        pipe = TRUE;
      else if (*p != ':' && *p != ' ' && *p != '\t')
        return FALSE;
    }

  return pipe && dashes >= 3;
}

/* Tables (a delimiter row under a line with a pipe) and fenced code blocks in the source,
 * outside fences. */
static void
count_source_blocks (const char *source,
                     guint      *n_tables,
                     guint      *n_codes)
{
  g_auto(GStrv) lines = g_strsplit (source, "\n", -1);
  char fence = 0;
  gsize fence_len = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *q = lines[i];
      gsize run = 0;

      while (*q == ' ' || *q == '\t' || *q == '>')
        q++;
      if (*q == '`' || *q == '~')
        while (q[run] == *q)
          run++;
      if (fence != 0)
        {
          if (*q == fence && run >= fence_len && g_strstrip (g_strdup (q + run))[0] == '\0')
            fence = 0;
          continue;
        }
      if (run >= 3 && (*q == '~' || strchr (q + run, '`') == NULL))
        {
          fence = *q;
          fence_len = run;
          (*n_codes)++;
          continue;
        }
      if (i > 0 && strchr (lines[i - 1], '|') != NULL && is_delimiter_row (lines[i]))
        (*n_tables)++;
    }
}

static void
check_rendered (KaResponseView *view,
                const char     *source,
                Counts         *counts)
{
  g_autoptr(GString) prose = g_string_new (NULL);
  g_autofree char *all = ka_response_view_dup_text (view);
  g_autofree char *clean = ka_text_sanitize (source, -1);
  g_auto(GStrv) lines = NULL;
  guint n_tables = 0, n_codes = 0, n_grids = 0, n_code_views = 0;
  gboolean table_syntax = FALSE;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (ka_response_view_get_blocks (view)));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_TEXT_VIEW (child))
        append_prose_text (GTK_TEXT_VIEW (child), prose);
      else if (gtk_widget_has_css_class (child, "ka-table"))
        {
          GtkGrid *grid = ka_markdown_table_get_grid (child);

          if (GTK_IS_LABEL (gtk_grid_get_child_at (grid, 0, 0)))
            n_grids++;
        }
      else if (gtk_widget_has_css_class (child, "ka-code"))
        {
          GtkTextView *code = ka_code_view_get_view (child);

          if (GTK_SOURCE_IS_VIEW (code) && gtk_text_view_get_wrap_mode (code) == GTK_WRAP_NONE)
            n_code_views++;
        }
    }

  lines = g_strsplit (prose->str, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = g_strchug (lines[i]);

      /* A table's delimiter row shown as text means the table was not parsed. A line
       * that merely starts and ends with '|' is not: "|x - 1| < δ", ABC music, chord
       * charts are what the model wrote. */
      if (strstr (l, "|---") != NULL || strstr (l, "---|") != NULL || is_delimiter_row (l))
        table_syntax = TRUE;
    }

  count_source_blocks (clean, &n_tables, &n_codes);
  counts->answers++;
  counts->stars += strstr (prose->str, "**") != NULL;
  counts->table_syntax += table_syntax;
  counts->math_syntax += (strstr (prose->str, "\\(") != NULL || strstr (prose->str, "\\[") != NULL
                          || strstr (prose->str, "$$") != NULL);
  counts->lost_tildes += count_single_tildes (all) < count_single_tildes (clean);
  counts->tables += n_tables;
  counts->tables_lost += n_grids < n_tables ? n_tables - n_grids : 0;
  counts->codes += n_codes;
  counts->codes_lost += n_code_views < n_codes ? n_codes - n_code_views : 0;

  if (g_getenv ("KA_CORPUS_VERBOSE") != NULL
      && (strstr (prose->str, "**") != NULL || table_syntax || n_grids < n_tables
          || n_code_views < n_codes || count_single_tildes (all) < count_single_tildes (clean)
          || strstr (prose->str, "\\(") != NULL || strstr (prose->str, "$$") != NULL
          || strstr (prose->str, "\\[") != NULL))
    g_printerr ("---- defect in:\n%s\n---- shown:\n%s\n", source, all);
}

static guint
render_file (KaResponseView *view,
             GtkWindow      *window,
             const char     *path,
             gsize          *n_bytes,
             Counts         *counts)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  gsize length;
  guint n = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GPtrArray) turns = NULL;
      const char *line = lines[i];
      KaPackPrompt prompt = { 0, };
      KaPackResponse response = { 0, };
      g_autofree char *text = NULL;

      /* LogicKor files start with a byte-order mark. */
      if (g_str_has_prefix (line, "\xef\xbb\xbf"))
        line += 3;
      if (*line == '\0')
        continue;

      json_parser_load_from_data (parser, line, -1, &error);
      g_assert_no_error (error);
      turns = answer_turns (json_node_get_object (json_parser_get_root (parser)));

      /* Each turn on its own, so that the checks can match blocks to source. */
      for (guint t = 0; t + 1 < turns->len; t++)
        {
          char *one[2] = { turns->pdata[t], NULL };

          if (one[0] == NULL)
            continue;
          prompt.prompt_id = (char *) "p";
          prompt.n_turns = 1;
          prompt.turns = one;
          response.response_id = (char *) "r";
          response.prompt_id = (char *) "p";
          response.n_turns = 1;
          response.turns = one;

          ka_response_view_set_response (view, &prompt, &response);
          g_free (text);
          text = ka_response_view_dup_text (view);
          g_assert_true (g_utf8_validate (text, -1, NULL));
          /* Something of every non-empty answer is shown. */
          if (has_visible_text (one[0]))
            g_assert_cmpuint (strlen (text), >, 0);
          check_rendered (view, one[0], counts);
          *n_bytes += strlen (text);
        }
      n++;
      /* Let GTK drop what the replaced blocks left behind, without waiting for frames. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }

  return n;
}

static void
render_corpus (Fixture    *fixture,
               const char *relative,
               gboolean    shared_only)
{
  g_autofree char *dir = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  guint n_answers = 0;
  gsize n_bytes = 0;
  Counts counts = { 0, };

  if (shared_only)
    {
      const char *shared = g_getenv ("KA_SHARED_DATA");
      g_autofree char *path = shared != NULL ? g_build_filename (shared, relative, NULL) : NULL;

      if (path != NULL && g_file_test (path, G_FILE_TEST_IS_DIR))
        dir = g_steal_pointer (&path);
    }
  else
    {
      dir = find_data_dir (relative);
    }

  if (dir == NULL)
    {
      g_autofree char *msg = g_strdup_printf ("no %s in tests/data or KA_SHARED_DATA", relative);

      g_test_skip (msg);
      return;
    }

  collect_jsonl (dir, files);
  g_ptr_array_sort (files, compare_paths);
  if (files->len == 0)
    {
      g_test_skip ("no answer files");
      return;
    }

  /* Small so that most answers need scrolling; one reused view. */
  gtk_window_set_default_size (fixture->window, 480, 360);
  for (guint i = 0; i < files->len; i++)
    n_answers += render_file (fixture->view, fixture->window, files->pdata[i], &n_bytes, &counts);
  settle (GTK_WIDGET (fixture->window));

  g_test_message ("%s: %u answers in %u files (%u turns), %" G_GSIZE_FORMAT " bytes rendered",
                  relative, n_answers, files->len, counts.answers, n_bytes);
  g_test_message ("%s: turns whose shown text has leftover \"**\": %u; table syntax: %u; "
                  "\\( \\[ $$: %u; lost single tildes: %u; tables not in grids: %u of %u; "
                  "code blocks not in non-wrapping code views: %u of %u",
                  relative, counts.stars, counts.table_syntax, counts.math_syntax,
                  counts.lost_tildes, counts.tables_lost, counts.tables, counts.codes_lost,
                  counts.codes);
  g_assert_cmpuint (n_answers, >, 0);
  g_assert_cmpuint (counts.table_syntax, ==, 0);
  g_assert_cmpuint (counts.lost_tildes, ==, 0);
  g_assert_cmpuint (counts.tables_lost, ==, 0);
  g_assert_cmpuint (counts.codes_lost, ==, 0);
  g_assert_cmpuint (counts.math_syntax, ==, 0);
  /* Not asserted: "* ** Dropout:**" (a space after the opening run) is not emphasis in
   * CommonMark or on GitHub either; shown as written. */
}

static void
test_real_ko_arena_hard (Fixture       *fixture,
                         gconstpointer  data)
{
  render_corpus (fixture, "ko_arena_hard/model_answer", FALSE);
}

static void
test_real_mt_bench (Fixture       *fixture,
                    gconstpointer  data)
{
  render_corpus (fixture, "mt_bench/model_answer", FALSE);
}

static void
test_real_logickor (Fixture       *fixture,
                    gconstpointer  data)
{
  /* Not redistributable: only ever read from the shared data directory. */
  render_corpus (fixture, "logickor/evaluated", TRUE);
}

int
main (int   argc,
      char *argv[])
{
  /* The accessibility assertions need GTK's test AT context; the suite's GTK_A11Y=none
   * would give widgets none at all. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, func) \
  g_test_add ("/ka/render/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("view/properties", test_view_properties);
  ADD ("view/turns", test_view_turns);
  ADD ("view/reveal", test_view_reveal);
  ADD ("view/clear", test_view_clear);
  ADD ("view/text-scale", test_view_text_scale);
  ADD ("view/links-inert", test_view_links_inert);
  ADD ("view/keys-scroll", test_view_keys_scroll);
  ADD ("view/table-grid", test_view_table_grid);
  ADD ("view/code-block", test_view_code_block);
  ADD ("view/math", test_view_math);
  ADD ("view/meaning", test_view_meaning);
  ADD ("view/korean-wrap", test_view_korean_wrap);
  ADD ("golden", test_golden);
  ADD ("real/ko-arena-hard", test_real_ko_arena_hard);
  ADD ("real/mt-bench", test_real_mt_bench);
  ADD ("real/logickor", test_real_logickor);

#undef ADD

  return g_test_run ();
}
