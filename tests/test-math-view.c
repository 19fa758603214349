/* test-math-view.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-math-view"

#include "config.h"

#include <math.h>
#include <string.h>

#include <adwaita.h>
#include <gtk/gtk.h>

#include "ka-math-layout.h"
#include "ka-math-view.h"
#include "ka-tex.h"
#include "ka-tex-corpus.h"

/* ---- helpers -------------------------------------------------------------------------- */

static GtkWidget *
show_in_window (GtkWidget *child)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_present (GTK_WINDOW (window));
  gtk_test_widget_wait_for_draw (window);
  return window;
}

static void
measure (GtkWidget *widget,
         int       *width,
         int       *height,
         int       *baseline)
{
  int minimum, natural, minimum_baseline = -1, natural_baseline = -1;

  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural, NULL, NULL);
  if (width != NULL)
    *width = natural;
  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, -1, &minimum, &natural,
                      &minimum_baseline, &natural_baseline);
  if (height != NULL)
    *height = natural;
  if (baseline != NULL)
    *baseline = natural_baseline;
}

/* The height of @tex laid out in a window's font. */
static int
formula_height (const char *tex,
                gboolean    display)
{
  GtkWidget *view = ka_math_view_new (tex, display);
  GtkWidget *window = show_in_window (view);
  int height;

  g_assert_true (ka_math_view_get_parsed (KA_MATH_VIEW (view)));
  measure (view, NULL, &height, NULL);
  gtk_window_destroy (GTK_WINDOW (window));
  return height;
}

static KaMathLayout *
layout_for (GtkWidget  *widget,
            const char *tex,
            gboolean    display)
{
  g_autoptr(KaTexNode) root = ka_tex_parse (tex, -1, NULL);
  PangoContext *context = gtk_widget_get_pango_context (widget);

  g_assert_nonnull (root);
  return ka_math_layout_new (context, pango_context_get_font_description (context), root, display);
}

/* ---- geometry ---------------------------------------------------------------------------- */

static void
test_geometry (void)
{
  GtkWidget *label = gtk_label_new ("x");
  GtkWidget *window = show_in_window (label);
  g_autoptr(KaMathLayout) scripts = layout_for (label, "x_1^2", FALSE);
  g_autoptr(KaMathLayout) sum_display = layout_for (label, "\\sum_{n=0}^{N} n", TRUE);
  g_autoptr(KaMathLayout) sum_inline = layout_for (label, "\\sum_{n=0}^{N} n", FALSE);
  double x_base, y_base, s_base, x_sup, y_sup, s_sup, x_sub, y_sub, s_sub;
  double x_sum, y_sum, x_limit, y_limit;

  /* A superscript sits above the base's baseline, a subscript below, both smaller and to
   * the right. */
  g_assert_true (ka_math_layout_find_glyph (scripts, "x", &x_base, &y_base, &s_base));
  g_assert_true (ka_math_layout_find_glyph (scripts, "2", &x_sup, &y_sup, &s_sup));
  g_assert_true (ka_math_layout_find_glyph (scripts, "1", &x_sub, &y_sub, &s_sub));
  g_assert_cmpfloat (y_sup, <, y_base - 2);
  g_assert_cmpfloat (y_sub, >, y_base + 1);
  g_assert_cmpfloat (s_sup, <, s_base);
  g_assert_cmpfloat (s_sub, <, s_base);
  g_assert_cmpfloat (x_sup, >, x_base);
  g_assert_cmpfloat (fabs (x_sup - x_sub), <, 0.5);

  /* Limits: above and below in display style, beside inline. */
  g_assert_true (ka_math_layout_find_glyph (sum_display, "∑", &x_sum, &y_sum, NULL));
  g_assert_true (ka_math_layout_find_glyph (sum_display, "N", &x_limit, &y_limit, NULL));
  g_assert_cmpfloat (y_limit, <, y_sum - 8);
  g_assert_true (ka_math_layout_find_glyph (sum_inline, "∑", &x_sum, &y_sum, NULL));
  g_assert_true (ka_math_layout_find_glyph (sum_inline, "N", &x_limit, &y_limit, NULL));
  g_assert_cmpfloat (x_limit, >, x_sum);
  g_assert_cmpfloat (ka_math_layout_get_ascent (sum_display) + ka_math_layout_get_descent (sum_display),
                     >, ka_math_layout_get_ascent (sum_inline) + ka_math_layout_get_descent (sum_inline));

  /* A prime is a full-size glyph after its base, not a tiny superscript. */
  {
    g_autoptr(KaMathLayout) prime = layout_for (label, "f'(x)", FALSE);
    double s_f, s_prime;

    g_assert_true (ka_math_layout_find_glyph (prime, "f", NULL, NULL, &s_f));
    g_assert_true (ka_math_layout_find_glyph (prime, "′", NULL, NULL, &s_prime));
    g_assert_cmpfloat (s_prime, ==, s_f);
  }

  /* \middle grows with its \left and \right (drawn, no longer the font's "|"); a plain
   * one stays a glyph. */
  {
    g_autoptr(KaMathLayout) tall = layout_for (label, "\\left\\{ x \\middle| \\frac{\\frac{a}{b}}{c} \\right\\}", TRUE);
    g_autoptr(KaMathLayout) flat = layout_for (label, "\\left\\{ x \\middle| y \\right\\}", TRUE);

    g_assert_false (ka_math_layout_find_glyph (tall, "|", NULL, NULL, NULL));
    g_assert_true (ka_math_layout_find_glyph (flat, "|", NULL, NULL, NULL));
  }

  gtk_window_destroy (GTK_WINDOW (window));

  /* Two dimensions: each construct is taller than what it is made of. */
  g_assert_cmpint (formula_height ("\\frac{a}{b}", FALSE), >, formula_height ("a", FALSE) + 4);
  g_assert_cmpint (formula_height ("\\frac{a}{b}", TRUE), >, formula_height ("\\frac{a}{b}", FALSE));
  g_assert_cmpint (formula_height ("\\begin{pmatrix} 1 \\\\ 2 \\\\ 3 \\end{pmatrix}", FALSE), >,
                   formula_height ("\\begin{pmatrix} 1 \\end{pmatrix}", FALSE) + 10);
  g_assert_cmpint (formula_height ("\\sqrt{\\frac{a}{b}}", FALSE), >, formula_height ("\\frac{a}{b}", FALSE));
  g_assert_cmpint (formula_height ("\\left( \\frac{\\frac{a}{b}}{c} \\right)", TRUE), >=,
                   formula_height ("\\frac{\\frac{a}{b}}{c}", TRUE));
  g_assert_cmpint (formula_height ("\\sum_{n=0}^{\\infty} \\frac{1}{n^2}", TRUE), >,
                   formula_height ("\\sum_{n=0}^{\\infty} \\frac{1}{n^2}", FALSE));
}

/* The widget's size is the formula's, and it follows the CSS font size (the text-size
 * preference). */
static void
test_font_size (void)
{
  GtkWidget *view = ka_math_view_new ("x^2 + \\frac{a}{b}", TRUE);
  GtkWidget *window = show_in_window (view);
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();
  int width1, height1, baseline1, width2, height2, baseline2;

  measure (view, &width1, &height1, &baseline1);
  g_assert_cmpint (baseline1, >, 0);
  {
    int minimum, natural;

    /* Honest: a formula cannot shrink, so its minimum width is its natural width. */
    gtk_widget_measure (view, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural, NULL, NULL);
    g_assert_cmpint (minimum, ==, natural);
  }
  g_assert_cmpint (baseline1, <, height1);

  gtk_css_provider_load_from_data (provider, "kamath { font-size: 200%; }", -1);
  gtk_style_context_add_provider (gtk_widget_get_style_context (view),
                                  GTK_STYLE_PROVIDER (provider),
                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_test_widget_wait_for_draw (window);
  measure (view, &width2, &height2, &baseline2);

  g_assert_cmpfloat (width2, >, width1 * 1.8);
  g_assert_cmpfloat (width2, <, width1 * 2.2);
  g_assert_cmpfloat (height2, >, height1 * 1.7);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_accessible (void)
{
  GtkWidget *view = ka_math_view_new ("K_{sp} = [Ag^+][Cl^-]", FALSE);
  GtkWidget *broken = ka_math_view_new ("\\frac{1}{", TRUE);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *window;
  int width;

  gtk_box_append (GTK_BOX (box), view);
  gtk_box_append (GTK_BOX (box), broken);
  window = show_in_window (box);

  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (view)), ==,
                   GTK_ACCESSIBLE_ROLE_IMG);
  g_assert_cmpstr (ka_math_view_get_text (KA_MATH_VIEW (view)), ==, "Kₛₚ = [Ag⁺][Cl⁻]");
  g_assert_cmpstr (ka_math_view_get_tex (KA_MATH_VIEW (view)), ==, "K_{sp} = [Ag^+][Cl^-]");

  /* A formula that does not parse shows its source, never nothing. */
  g_assert_false (ka_math_view_get_parsed (KA_MATH_VIEW (broken)));
  g_assert_cmpstr (ka_math_view_get_text (KA_MATH_VIEW (broken)), ==, "\\frac{1}{");
  measure (broken, &width, NULL, NULL);
  g_assert_cmpint (width, >, 20);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Hostile sources: drawn (or shown as source) without a warning, markup never parsed. */
static void
test_hostile (void)
{
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GString) huge = g_string_new (NULL);
  g_autoptr(GString) wide = g_string_new (NULL);
  const char *small[] = {
    "<b>bold</b>", "\\text{<span foreground='red'>x</span>}", "x^^^", "\\left(", "}", "\\",
    "&amp;", "\xff\xfe\\frac{\xc3}{x}", "\\begin{pmatrix}\\end{pmatrix}", "\\sqrt[]{}",
    "\\left.\\right.", "\\frac{}{}", "{}^{}_{}", "\\big", "\\middle|",
  };
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *label = gtk_label_new ("x");
  GtkWidget *window;

  for (guint i = 0; i < 100000; i++)
    g_string_append (deep, "{");
  for (guint i = 0; i < 40000; i++)
    g_string_append (huge, "x+");
  for (guint i = 0; i < 3000; i++)
    g_string_append (wide, "\\frac{a}{b}+");
  g_string_append (wide, "1");

  gtk_box_append (GTK_BOX (box), label);
  for (guint i = 0; i < G_N_ELEMENTS (small); i++)
    for (int display = 0; display < 2; display++)
      gtk_box_append (GTK_BOX (box), ka_math_view_new (small[i], display));
  gtk_box_append (GTK_BOX (box), ka_math_view_new (deep->str, TRUE));
  gtk_box_append (GTK_BOX (box), ka_math_view_new (huge->str, TRUE));
  gtk_box_append (GTK_BOX (box), ka_math_view_new (wide->str, TRUE));
  window = show_in_window (box);

  for (GtkWidget *child = gtk_widget_get_first_child (box); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int width, height;

      measure (child, &width, &height, NULL);
      g_assert_cmpint (height, >=, 0);
    }

  {
    g_autoptr(KaMathLayout) layout = layout_for (label, "\\text{<b>x</b>} + <i>", FALSE);

    g_assert_true (ka_math_layout_find_glyph (layout, "<b>x</b>", NULL, NULL, NULL));
    g_assert_true (ka_math_layout_find_glyph (layout, "<", NULL, NULL, NULL));
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- every real formula ---------------------------------------------------------------- */

static void
test_real_answers (void)
{
  g_autoptr(GPtrArray) formulas = ka_tex_corpus_load (NULL);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *window;
  guint drawn = 0;
  gint64 start;

  if (formulas->len == 0)
    {
      g_test_skip ("No answers with formulas found in tests/data");
      return;
    }

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), box);
  window = show_in_window (scrolled);
  gtk_window_set_default_size (GTK_WINDOW (window), 600, 400);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < formulas->len; i++)
    for (int display = 0; display < 2; display++)
      {
        GtkWidget *view = ka_math_view_new (g_ptr_array_index (formulas, i), display);
        g_autofree char *stripped = g_strstrip (g_strdup (g_ptr_array_index (formulas, i)));
        int width, height;

        gtk_box_append (GTK_BOX (box), view);
        measure (view, &width, &height, NULL);
        if (*stripped != '\0')
          g_assert_cmpint (width, >, 0);
        g_assert_cmpint (height, >=, 0);
        g_assert_cmpint (width, <, 20000);
        g_assert_cmpint (height, <, 2000);
        drawn++;
      }

  gtk_test_widget_wait_for_draw (window);
  g_print ("# %u real formulas laid out and drawn, inline and display: %.0f ms in all "
           "(parse, layout, measure, one draw)\n",
           drawn / 2, (g_get_monotonic_time () - start) / 1000.0);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- inline in prose --------------------------------------------------------------------- */

static gboolean
range_has_tag (GtkTextBuffer *buffer,
               int            start,
               int            end,
               const char    *prefix)
{
  for (int i = start; i < end; i++)
    {
      GtkTextIter iter;
      GSList *tags;
      gboolean found = FALSE;

      gtk_text_buffer_get_iter_at_offset (buffer, &iter, i);
      tags = gtk_text_iter_get_tags (&iter);
      for (GSList *l = tags; l != NULL; l = l->next)
        {
          g_autofree char *name = NULL;

          g_object_get (l->data, "name", &name, NULL);
          if (name != NULL && g_str_has_prefix (name, prefix))
            found = TRUE;
        }
      g_slist_free (tags);
      if (!found)
        return FALSE;
    }
  return TRUE;
}

/* The rise of the "ka-math-lower-N" tag on the character at @offset (an anchor's). */
static int
anchor_rise (GtkTextBuffer *buffer,
             int            offset)
{
  GtkTextIter iter;
  GSList *tags;
  int rise = G_MININT;

  gtk_text_buffer_get_iter_at_offset (buffer, &iter, offset);
  tags = gtk_text_iter_get_tags (&iter);
  for (GSList *l = tags; l != NULL; l = l->next)
    {
      g_autofree char *name = NULL;

      g_object_get (l->data, "name", &name, NULL);
      if (name != NULL && g_str_has_prefix (name, "ka-math-lower-"))
        {
          g_assert_cmpint (rise, ==, G_MININT);  /* only one */
          g_object_get (l->data, "rise", &rise, NULL);
        }
    }
  g_slist_free (tags);
  return rise;
}

static void
count_tag_cb (GtkTextTag *tag,
              gpointer    data)
{
  (*(guint *) data)++;
}

static guint
n_tags (GtkTextBuffer *buffer)
{
  guint n = 0;

  gtk_text_tag_table_foreach (gtk_text_buffer_get_tag_table (buffer), count_tag_cb, &n);
  return n;
}

static char *
buffer_text (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_slice (buffer, &start, &end, TRUE);
}

static void
test_inline (void)
{
  GtkWidget *text_view = gtk_text_view_new ();
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view));
  GtkWidget *window = show_in_window (text_view);
  GtkTextIter iter;
  g_autofree char *text = NULL;
  GtkTextChildAnchor *anchor;
  GtkWidget **children;
  guint n_children;
  int offset;

  gtk_text_buffer_get_end_iter (buffer, &iter);
  gtk_text_buffer_insert (buffer, &iter, "A ", -1);
  ka_math_insert_inline (GTK_TEXT_VIEW (text_view), &iter, "K_{sp} = x^2", -1);
  gtk_text_buffer_insert (buffer, &iter, " B ", -1);
  offset = gtk_text_iter_get_offset (&iter);
  ka_math_insert_inline (GTK_TEXT_VIEW (text_view), &iter, "e^{\\lambda t}", -1);
  gtk_text_buffer_insert (buffer, &iter, " C ", -1);
  ka_math_insert_inline (GTK_TEXT_VIEW (text_view), &iter, "\\frac{a}{b}", -1);
  gtk_text_buffer_insert (buffer, &iter, " D ", -1);
  ka_math_insert_inline (GTK_TEXT_VIEW (text_view), &iter, "<b>\\frac{1}{", -1);

  text = buffer_text (buffer);
  /* Simple formulas are text: Unicode scripts where they exist, raised text otherwise;
   * a fraction is an anchored KaMathView (U+FFFC); a broken formula is its source. */
  g_assert_cmpstr (text, ==, "A Ksp = x² B eλt C \xef\xbf\xbc D <b>\\frac{1}{");
  g_assert_true (range_has_tag (buffer, 2, 3, "ka-math-italic"));       /* K */
  g_assert_true (range_has_tag (buffer, 2, 9, "ka-math"));
  g_assert_true (range_has_tag (buffer, 3, 5, "ka-math-sub-"));        /* sp */
  g_assert_false (range_has_tag (buffer, 8, 9, "ka-math-sup-"));       /* ² */
  g_assert_false (range_has_tag (buffer, 0, 2, "ka-math"));
  g_assert_true (range_has_tag (buffer, offset + 1, offset + 3, "ka-math-sup-"));
  g_assert_false (range_has_tag (buffer, offset, offset + 1, "ka-math-sup-"));

  gtk_text_buffer_get_iter_at_offset (buffer, &iter, offset + 6);
  anchor = gtk_text_iter_get_child_anchor (&iter);
  g_assert_nonnull (anchor);
  children = gtk_text_child_anchor_get_widgets (anchor, &n_children);
  g_assert_cmpuint (n_children, ==, 1);
  g_assert_true (KA_IS_MATH_VIEW (children[0]));
  g_assert_cmpstr (ka_math_view_get_text (KA_MATH_VIEW (children[0])), ==, "a/b");
  /* Lowered so that its baseline, not its bottom, sits on the line's baseline, also after
   * the text size changes. */
  {
    int height, baseline, descent1;
    g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

    measure (children[0], NULL, &height, &baseline);
    descent1 = height - baseline;
    g_assert_cmpint (descent1, >, 2);
    g_assert_cmpint (anchor_rise (buffer, offset + 6), ==, -descent1 * PANGO_SCALE);
    gtk_test_widget_wait_for_draw (window);
    while (g_main_context_iteration (NULL, FALSE))
      ;

    gtk_css_provider_load_from_data (provider, "textview { font-size: 250%; }", -1);
    gtk_style_context_add_provider (gtk_widget_get_style_context (text_view),
                                    GTK_STYLE_PROVIDER (provider),
                                    GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    gtk_test_widget_wait_for_draw (window);
    while (g_main_context_iteration (NULL, FALSE))
      ;
    gtk_test_widget_wait_for_draw (window);
    measure (children[0], NULL, &height, &baseline);
    g_assert_cmpint (height - baseline, >, descent1 * 2);
    g_assert_cmpint (anchor_rise (buffer, offset + 6), ==, -(height - baseline) * PANGO_SCALE);
  }
  g_free (children);

  /* Many formulas share their tags: a long kiosk session does not grow the tag table. */
  {
    guint before = n_tags (buffer);

    for (guint i = 0; i < 50; i++)
      {
        gtk_text_buffer_get_end_iter (buffer, &iter);
        ka_math_insert_inline (GTK_TEXT_VIEW (text_view), &iter, i % 2 ? "\\frac{a}{b}" : "x_{ij}^2", -1);
      }
    gtk_test_widget_wait_for_draw (window);
    while (g_main_context_iteration (NULL, FALSE))
      ;
    g_assert_cmpuint (n_tags (buffer), <=, before + 2);
  }

  gtk_test_widget_wait_for_draw (window);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- golden images ----------------------------------------------------------------------- */

static GdkTexture *
render_texture (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 1, 1, 1, 1 },
                             &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_to_node (snapshot);
  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

static guchar *
texture_pixels (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  guchar *pixels = g_malloc ((gsize) width * height * 4);

  gdk_texture_download (texture, pixels, width * 4);
  return pixels;
}

/* Fraction of pixels that differ by more than a quarter of the range in some channel. */
static double
texture_difference (GdkTexture *a,
                    GdkTexture *b)
{
  int width = MIN (gdk_texture_get_width (a), gdk_texture_get_width (b));
  int height = MIN (gdk_texture_get_height (a), gdk_texture_get_height (b));
  g_autofree guchar *pa = texture_pixels (a);
  g_autofree guchar *pb = texture_pixels (b);
  guint differing = 0;

  if (abs (gdk_texture_get_width (a) - gdk_texture_get_width (b)) > 2
      || abs (gdk_texture_get_height (a) - gdk_texture_get_height (b)) > 2)
    return 1.0;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guchar *ca = pa + (gsize) y * gdk_texture_get_width (a) * 4 + x * 4;
        const guchar *cb = pb + (gsize) y * gdk_texture_get_width (b) * 4 + x * 4;

        for (int c = 0; c < 3; c++)
          if (abs (ca[c] - cb[c]) > 64)
            {
              differing++;
              break;
            }
      }
  return (double) differing / MAX (1, width * height);
}

static void
test_golden (void)
{
  static const struct { const char *name, *tex; gboolean display; } cases[] = {
    { "fraction-root", "x = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}", TRUE },
    { "series", "e^x = \\sum_{n=0}^{\\infty} \\frac{x^n}{n!}", TRUE },
    { "matrix", "A = \\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", TRUE },
    { "delta-g", "\\Delta G = -RT \\ln \\left( \\frac{[A_n]}{K_{sp}} \\right)", TRUE },
    { "inline-scripts", "K_{sp} = [Ag^+][Cl^-]", FALSE },
  };
  gboolean update = g_strcmp0 (g_getenv ("KA_UPDATE_GOLDEN"), "1") == 0;
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  /* A fixed font, size and colour, so the pictures do not follow the desktop's. */
  gtk_css_provider_load_from_data (provider,
                                   "kamath { font-family: 'DejaVu Sans'; font-size: 20px; "
                                   "color: black; background: white; }", -1);
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION + 10);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GtkWidget *view = ka_math_view_new (cases[i].tex, cases[i].display);
      GtkWidget *window = show_in_window (view);
      g_autofree char *file = g_strdup_printf ("%s.png", cases[i].name);
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "golden", file, NULL);
      g_autoptr(GdkTexture) texture = render_texture (view);
      g_autoptr(GdkTexture) golden = NULL;
      g_autoptr(GError) error = NULL;
      double difference;

      if (update)
        {
          g_autofree char *dir = g_path_get_dirname (path);

          g_mkdir_with_parents (dir, 0755);
          g_assert_true (gdk_texture_save_to_png (texture, path));
          g_test_message ("wrote %s", path);
        }

      golden = gdk_texture_new_from_filename (path, &error);
      g_assert_no_error (error);
      difference = texture_difference (texture, golden);
      g_test_message ("%s: %dx%d, %.2f %% of pixels differ from the golden image",
                      cases[i].name, gdk_texture_get_width (texture),
                      gdk_texture_get_height (texture), 100 * difference);
      if (difference > 0.02)
        {
          g_autofree char *actual = g_build_filename (g_get_tmp_dir (), file, NULL);

          gdk_texture_save_to_png (texture, actual);
          g_test_message ("rendered image saved as %s", actual);
        }
      g_assert_cmpfloat (difference, <=, 0.02);
      gtk_window_destroy (GTK_WINDOW (window));
    }

  gtk_style_context_remove_provider_for_display (gdk_display_get_default (),
                                                 GTK_STYLE_PROVIDER (provider));
}

/* ---- a look at it -------------------------------------------------------------------------- */

/* KA_MATH_SHOWCASE=prefix writes prefix-light.png and prefix-dark.png: real formulas from
 * the answers, display and inline, in a window as a person would see them. */
static void
write_showcase (const char *prefix)
{
  static const char *display[] = {
    "e^x = \\sum_{n=0}^{\\infty} \\frac{x^n}{n!}",
    "\\pi = \\sum_{n=0}^{\\infty} \\frac{1}{16^n} \\left( \\frac{4}{8n+1} - \\frac{2}{8n+4} - \\frac{1}{8n+5} - \\frac{1}{8n+6} \\right)",
    "\\Delta G = -RT \\ln \\left( \\frac{1 \\times 10^{-3}}{1 \\times 10^{-6}} \\right)",
    "\\dot{p} = -\\frac{\\partial H}{\\partial q} = -\\Omega^2 q + \\lambda p",
    "\\sqrt{(3 - (-1))^2 + (3 - 1)^2} = \\sqrt{2^2 + 2^2} = 2 \\sqrt{2}",
    "\\forall x \\, (\\text{Dog}(x) \\rightarrow \\exists y \\, (\\text{Rabbit}(y) \\land \\text{Chases}(x, y)))",
    "\\text{총 자산의 변화} = (\\text{총 부채의 변화}) + (\\text{주주 지분의 변화})",
    "A = \\begin{bmatrix} 1 & 0 \\\\ 0 & 1 \\end{bmatrix}, \\quad |x| = \\begin{cases} x & x \\geq 0 \\\\ -x & x < 0 \\end{cases}",
    "\\lim_{x \\to 0} \\frac{\\sin x}{x} = 1, \\quad \\int_0^1 x^2 \\, dx = \\frac{1}{3}, \\quad \\sqrt[3]{27} = 3",
    "\\hat{x} + \\vec{v} + \\overline{AB} + \\mathbb{R} \\setminus \\mathbb{Q} \\neq \\emptyset",
  };
  static const char *scheme[] = { "light", "dark" };

  for (guint s = 0; s < G_N_ELEMENTS (scheme); s++)
    {

      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
      GtkWidget *text_view = gtk_text_view_new ();
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view));
      GtkTextIter iter;
      GtkWidget *window;
      g_autofree char *path = g_strdup_printf ("%s-%s.png", prefix, scheme[s]);
      g_autoptr(GdkTexture) texture = NULL;

      if (g_getenv ("KA_MATH_SHOWCASE_SCHEME") != NULL
          && !g_str_equal (g_getenv ("KA_MATH_SHOWCASE_SCHEME"), scheme[s]))
        continue;
      adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                          s == 0 ? ADW_COLOR_SCHEME_FORCE_LIGHT
                                                 : ADW_COLOR_SCHEME_FORCE_DARK);
      gtk_widget_set_margin_start (box, 24);
      gtk_widget_set_margin_end (box, 24);
      gtk_widget_set_margin_top (box, 18);
      gtk_widget_set_margin_bottom (box, 18);
      gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (text_view), GTK_WRAP_WORD_CHAR);
      gtk_text_view_set_editable (GTK_TEXT_VIEW (text_view), FALSE);
      gtk_text_buffer_get_end_iter (buffer, &iter);
      gtk_text_buffer_insert (buffer, &iter, "용해도곱 ", -1);
      ka_math_insert_inline (GTK_TEXT_VIEW (text_view), &iter, "K_{sp} = [Ag^+][Cl^-]", -1);
      gtk_text_buffer_insert (buffer, &iter, "이고, ", -1);
      ka_math_insert_inline (GTK_TEXT_VIEW (text_view), &iter, "\\delta = \\frac{\\epsilon}{M}", -1);
      gtk_text_buffer_insert (buffer, &iter, " 로 두면 ", -1);
      ka_math_insert_inline (GTK_TEXT_VIEW (text_view), &iter, "|x + 1| < \\delta", -1);
      gtk_text_buffer_insert (buffer, &iter, " 일 때 ", -1);
      ka_math_insert_inline (GTK_TEXT_VIEW (text_view), &iter, "|f(x) - f(-1)| < \\epsilon", -1);
      gtk_text_buffer_insert (buffer, &iter, " 입니다. Inline: ", -1);
      ka_math_insert_inline (GTK_TEXT_VIEW (text_view), &iter, "q = e^{\\lambda t}", -1);
      gtk_text_buffer_insert (buffer, &iter, ", ", -1);
      ka_math_insert_inline (GTK_TEXT_VIEW (text_view), &iter, "\\sqrt{a^2 + b^2}", -1);
      gtk_text_buffer_insert (buffer, &iter, " and ", -1);
      ka_math_insert_inline (GTK_TEXT_VIEW (text_view), &iter, "\\mathbb{Z} \\times \\mathbb{Z}", -1);
      gtk_text_buffer_insert (buffer, &iter, ".", -1);
      gtk_box_append (GTK_BOX (box), text_view);

      for (guint i = 0; i < G_N_ELEMENTS (display); i++)
        gtk_box_append (GTK_BOX (box), ka_math_view_new (display[i], TRUE));

      window = gtk_window_new ();
      gtk_window_set_default_size (GTK_WINDOW (window), 900, -1);
      gtk_window_set_child (GTK_WINDOW (window), box);
      gtk_window_present (GTK_WINDOW (window));
      /* A loaded machine may take a while to map the window. */
      for (int k = 0; k < 50 && gtk_widget_get_width (window) <= 1; k++)
        gtk_test_widget_wait_for_draw (window);
      /* GtkTextView validates its lines after the first frame: let the window follow. */
      for (int k = 0; k < 50; k++)
        {
          int minimum, natural;

          gtk_test_widget_wait_for_draw (window);
          gtk_widget_measure (text_view, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (text_view),
                              &minimum, &natural, NULL, NULL);
          if (gtk_widget_get_height (text_view) >= natural)
            break;
          gtk_widget_queue_resize (window);
        }

      {
        g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
        g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
        g_autoptr(GskRenderNode) node = NULL;
        int width = gtk_widget_get_width (window), height = gtk_widget_get_height (window);

        gdk_paintable_snapshot (paintable, snapshot, width, height);
        node = gtk_snapshot_to_node (snapshot);
        if (node == NULL)
          {
            g_print ("# the window was not drawn yet; try again\n");
            gtk_window_destroy (GTK_WINDOW (window));
            continue;
          }
        texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)),
                                               node, &GRAPHENE_RECT_INIT (0, 0, width, height));
        gdk_texture_save_to_png (texture, path);
        g_print ("# wrote %s\n", path);
      }
      if (g_getenv ("KA_MATH_SHOWCASE_WAIT") != NULL)
        {
          for (int k = 0; k < 800; k++)
            g_main_context_iteration (NULL, FALSE), g_usleep (10000);
        }
      gtk_window_destroy (GTK_WINDOW (window));
    }
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  if (g_getenv ("KA_MATH_SHOWCASE") != NULL)
    {
      write_showcase (g_getenv ("KA_MATH_SHOWCASE"));
      return 0;
    }

  g_test_add_func ("/math-view/geometry", test_geometry);
  g_test_add_func ("/math-view/font-size", test_font_size);
  g_test_add_func ("/math-view/accessible", test_accessible);
  g_test_add_func ("/math-view/inline", test_inline);
  g_test_add_func ("/math-view/hostile", test_hostile);
  g_test_add_func ("/math-view/real-answers", test_real_answers);
  g_test_add_func ("/math-view/golden", test_golden);

  return g_test_run ();
}
