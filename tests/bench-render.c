/* bench-render.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How long does one answer take to show? Finds, in the data sets (ko-arena-hard, MT-bench,
 * LogicKor), the longest real answer, the one with the most tables and the one with the
 * most formulas, and prints for each the median of N runs of:
 *   baseline  the same text set unparsed into a plain GtkTextView (the ratio's base);
 *   parse     ka_markdown_render() into a fresh buffer (md4c + tags, no widget);
 *   view      ka_response_view_set_response() in a realized window, no layout;
 *   draw      the same, then the first frame (gtk_test_widget_wait_for_draw);
 *   layout    the same, then Pango layout of every line of every prose view and
 *             gtk_widget_measure() of the answer's blocks;
 * plus hostile inputs (1 MB single line, 100k lines) that hit the per-turn cap.
 * KA_BENCH_RUNS sets N (default 15). Prints figures only; asserts no timings.
 */

#define G_LOG_DOMAIN "bench-render"

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "ka-markdown.h"
#include "ka-response-view.h"

static double baseline_s;

typedef struct
{
  char  *path;
  guint  line;
  char **turns;   /* NULL-terminated */
  gsize  bytes;
} Answer;

static void
answer_clear (Answer *answer)
{
  g_clear_pointer (&answer->path, g_free);
  g_clear_pointer (&answer->turns, g_strfreev);
  answer->bytes = 0;
}

static char **
turns_of (JsonObject *object)
{
  GPtrArray *turns = g_ptr_array_new ();
  JsonArray *array = NULL;

  if (json_object_has_member (object, "choices"))
    array = json_object_get_array_member (json_array_get_object_element (
                                            json_object_get_array_member (object, "choices"), 0),
                                          "turns");
  else if (json_object_has_member (object, "outputs"))
    array = json_object_get_array_member (object, "outputs");

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_OBJECT (node))
        g_ptr_array_add (turns,
                         g_strdup (json_object_get_string_member (json_node_get_object (node),
                                                                  "content")));
      else if (JSON_NODE_HOLDS_VALUE (node))
        g_ptr_array_add (turns, g_strdup (json_node_get_string (node)));
    }
  g_ptr_array_add (turns, NULL);

  return (char **) g_ptr_array_free (turns, FALSE);
}

typedef struct
{
  Answer longest;
  Answer tables;      /* most table delimiter rows */
  Answer formulas;    /* most \( \[ $$ delimiters */
} Picks;

static gsize
count_of (char      **turns,
          gboolean    tables)
{
  gsize n = 0;

  for (guint t = 0; turns[t] != NULL; t++)
    {
      if (tables)
        {
          for (const char *p = turns[t]; (p = strstr (p, "|---")) != NULL; p += 4)
            n++;
          for (const char *p = turns[t]; (p = strstr (p, "|:--")) != NULL; p += 4)
            n++;
        }
      else
        {
          static const char *delimiters[] = { "\\(", "\\[", "$$" };

          for (gsize d = 0; d < G_N_ELEMENTS (delimiters); d++)
            for (const char *p = turns[t]; (p = strstr (p, delimiters[d])) != NULL; p += 2)
              n++;
        }
    }

  return n;
}

static void
keep_if_more (Answer     *answer,
              const char *path,
              guint       line,
              char      **turns,
              gsize       score)
{
  if (score <= answer->bytes)
    return;
  answer_clear (answer);
  answer->path = g_strdup (path);
  answer->line = line;
  answer->turns = g_strdupv (turns);
  answer->bytes = score;
}

static void
scan_dir (const char *dir,
          Picks      *picks,
          guint      *n_answers)
{
  Answer *longest = &picks->longest;

  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          scan_dir (path, picks, n_answers);
          continue;
        }
      if (!g_str_has_suffix (name, ".jsonl") || !g_file_get_contents (path, &contents, NULL, NULL))
        continue;

      lines = g_strsplit (contents, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          g_autoptr(JsonParser) parser = json_parser_new ();
          const char *line = lines[i];
          char **turns;
          gsize bytes = 0;

          if (g_str_has_prefix (line, "\xef\xbb\xbf"))
            line += 3;
          if (*line == '\0' || !json_parser_load_from_data (parser, line, -1, NULL))
            continue;

          turns = turns_of (json_node_get_object (json_parser_get_root (parser)));
          for (guint t = 0; turns[t] != NULL; t++)
            bytes += strlen (turns[t]);
          (*n_answers)++;
          keep_if_more (&picks->tables, path, i + 1, turns, count_of (turns, TRUE));
          keep_if_more (&picks->formulas, path, i + 1, turns, count_of (turns, FALSE));

          if (bytes > longest->bytes)
            {
              answer_clear (longest);
              longest->path = g_strdup (path);
              longest->line = i + 1;
              longest->turns = turns;
              longest->bytes = bytes;
            }
          else
            {
              g_strfreev (turns);
            }
        }
    }
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (GArray *samples)
{
  g_array_sort (samples, compare_doubles);
  if (samples->len == 0)
    return 0;
  if (samples->len % 2 == 1)
    return g_array_index (samples, double, samples->len / 2);
  return (g_array_index (samples, double, samples->len / 2 - 1)
          + g_array_index (samples, double, samples->len / 2)) / 2;
}

static void
report (const char *what,
        GArray     *samples,
        int         n_chars)
{
  double m = median (samples);

  g_print ("%-8s median %8.2f ms  (min %7.2f, max %7.2f, n=%u)  %9.0f chars/s",
           what, m * 1000,
           g_array_index (samples, double, 0) * 1000,
           g_array_index (samples, double, samples->len - 1) * 1000,
           samples->len, m > 0 ? n_chars / m : 0);
  if (baseline_s > 0)
    g_print ("  %6.1f× baseline", m / baseline_s);
  g_print ("\n");
}

static void
full_layout (KaResponseView *view)
{
  GtkWidget *blocks = GTK_WIDGET (ka_response_view_get_blocks (view));
  int height;

  for (GtkWidget *child = gtk_widget_get_first_child (blocks); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkTextView *text_view;
      GtkTextBuffer *buffer;
      GtkTextIter iter;

      if (!GTK_IS_TEXT_VIEW (child))
        continue;
      text_view = GTK_TEXT_VIEW (child);
      buffer = gtk_text_view_get_buffer (text_view);
      gtk_text_buffer_get_start_iter (buffer, &iter);
      do
        {
          GdkRectangle rect;

          gtk_text_view_get_iter_location (text_view, &iter, &rect);
        }
      while (gtk_text_iter_forward_line (&iter));
    }

  gtk_widget_measure (blocks, GTK_ORIENTATION_VERTICAL,
                      gtk_widget_get_width (blocks), NULL, &height, NULL, NULL);
}

/* The base of the ratios: the same text, unparsed, into a plain text view in the window. */
static void
bench_baseline (GtkWindow  *window,
                const char *text,
                guint       runs)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));
  GtkWidget *old = gtk_window_get_child (window);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *plain = gtk_text_view_new ();

  g_object_ref (old);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (plain), GTK_WRAP_WORD_CHAR);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), plain);
  gtk_window_set_child (window, scroller);
  for (guint i = 0; i < runs; i++)
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (plain));
      gint64 start;
      double t;

      gtk_text_buffer_set_text (buffer, "", 0);
      gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
      start = g_get_monotonic_time ();
      gtk_text_buffer_set_text (buffer, text, -1);
      gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
      t = (g_get_monotonic_time () - start) / 1e6;
      g_array_append_val (samples, t);
    }
  baseline_s = 0;
  report ("baseline", samples, g_utf8_strlen (text, -1));
  baseline_s = median (samples);
  gtk_window_set_child (window, old);
  g_object_unref (old);
}

static void
bench_view (KaResponseView *view,
            GtkWindow      *window,
            char          **turns,
            guint           runs,
            int            *n_chars)
{
  g_autoptr(GArray) view_only = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) drawn = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) laid_out = g_array_new (FALSE, FALSE, sizeof (double));
  KaPackPrompt prompt = { 0, };
  KaPackResponse response = { 0, };
  g_autofree char *shown = NULL;

  prompt.prompt_id = (char *) "p";
  prompt.turns = turns;
  prompt.n_turns = g_strv_length (turns);
  response.response_id = (char *) "r";
  response.prompt_id = (char *) "p";
  response.turns = turns;
  response.n_turns = prompt.n_turns;

  for (guint i = 0; i < runs; i++)
    {
      gint64 start;
      double t;

      ka_response_view_clear (view);
      gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

      start = g_get_monotonic_time ();
      ka_response_view_set_response (view, &prompt, &response);
      t = (g_get_monotonic_time () - start) / 1e6;
      g_array_append_val (view_only, t);

      gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
      t = (g_get_monotonic_time () - start) / 1e6;
      g_array_append_val (drawn, t);

      full_layout (view);
      t = (g_get_monotonic_time () - start) / 1e6;
      g_array_append_val (laid_out, t);
    }

  shown = ka_response_view_dup_text (view);
  *n_chars = g_utf8_strlen (shown, -1);
  report ("view", view_only, *n_chars);
  report ("draw", drawn, *n_chars);
  report ("layout", laid_out, *n_chars);
}

static void
bench_parse (const char *text,
             guint       runs,
             const char *label)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GtkTextTagTable) table = gtk_text_tag_table_new ();
  int n_chars = 0;

  for (guint i = 0; i < runs; i++)
    {
      g_autoptr(GtkTextBuffer) buffer = gtk_text_buffer_new (table);
      GtkTextIter iter;
      gint64 start;
      double t;

      gtk_text_buffer_get_end_iter (buffer, &iter);
      start = g_get_monotonic_time ();
      ka_markdown_render (buffer, &iter, text, -1);
      t = (g_get_monotonic_time () - start) / 1e6;
      g_array_append_val (samples, t);
      n_chars = gtk_text_buffer_get_char_count (buffer);
    }

  report (label, samples, n_chars);
}

int
main (int   argc,
      char *argv[])
{
  const char *shared = g_getenv ("KA_SHARED_DATA");
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");
  const char *runs_env = g_getenv ("KA_BENCH_RUNS");
  static const char *sets[] = {
    "ko_arena_hard/model_answer", "mt_bench/model_answer", "logickor/evaluated",
  };
  guint runs = runs_env != NULL ? MAX (1, atoi (runs_env)) : 15;
  Picks picks = { 0, };
  Answer *longest = &picks.longest;
  guint n_answers = 0;
  GtkWindow *window;
  KaResponseView *view;
  g_autofree char *joined = NULL;
  int n_chars = 0;

  gtk_init ();
  adw_init ();

  for (gsize i = 0; i < G_N_ELEMENTS (sets); i++)
    {
      g_autofree char *local = NULL;
      g_autofree char *remote = NULL;

      if (srcdir != NULL)
        local = g_build_filename (srcdir, "data", sets[i], NULL);
      if (shared != NULL)
        remote = g_build_filename (shared, sets[i], NULL);

      /* LogicKor may not be redistributed: only ever read from the shared directory. */
      if (local != NULL && i < 2 && g_file_test (local, G_FILE_TEST_IS_DIR))
        scan_dir (local, &picks, &n_answers);
      else if (remote != NULL)
        scan_dir (remote, &picks, &n_answers);
    }

  if (longest->turns == NULL)
    {
      g_print ("bench-render: no answer files (tests/data or KA_SHARED_DATA); nothing measured\n");
      return 0;
    }

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 640, 800);
  view = KA_RESPONSE_VIEW (ka_response_view_new ());
  ka_response_view_set_label (view, "Model A");
  gtk_window_set_child (window, GTK_WIDGET (view));
  gtk_window_present (window);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  {
    const struct
    {
      const char *what;
      Answer     *answer;
    } cases[] = {
      { "longest", &picks.longest },
      { "most tables", &picks.tables },
      { "most formulas", &picks.formulas },
    };

    for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
      {
        Answer *answer = cases[c].answer;

        if (answer->turns == NULL)
          continue;
        g_clear_pointer (&joined, g_free);
        joined = g_strjoinv ("\n\n", answer->turns);
        g_print ("-- %s of %u answers: %s line %u, %u turn(s), score %" G_GSIZE_FORMAT ", "
                 "%ld characters; %u runs each\n",
                 cases[c].what, n_answers, answer->path, answer->line,
                 g_strv_length (answer->turns), answer->bytes, g_utf8_strlen (joined, -1), runs);
        bench_baseline (window, joined, runs);
        bench_parse (joined, runs, "parse");
        bench_view (view, window, answer->turns, runs, &n_chars);
      }
  }

  /* Hostile inputs, cut at the per-turn cap (no baseline). */
  baseline_s = 0;
  {
    GString *s = g_string_new (NULL);
    char *one[2] = { NULL, NULL };

    for (gsize i = 0; i < 1024 * 1024; i++)
      g_string_append_c (s, "abcdefghij *_`[<&"[i % 17]);
    g_print ("-- 1 MB single line with Markdown punctuation:\n");
    bench_parse (s->str, MIN (runs, 5), "parse");
    one[0] = s->str;
    bench_view (view, window, one, MIN (runs, 5), &n_chars);

    g_string_truncate (s, 0);
    for (int i = 0; i < 100000; i++)
      g_string_append_printf (s, "%s line %d\n", i % 3 == 0 ? "-" : (i % 3 == 1 ? ">" : "1."), i);
    g_print ("-- 100k lines of lists and quotes:\n");
    bench_parse (s->str, MIN (runs, 5), "parse");
    one[0] = s->str;
    bench_view (view, window, one, MIN (runs, 5), &n_chars);

    g_string_free (s, TRUE);
  }

  gtk_window_destroy (window);
  answer_clear (&picks.longest);
  answer_clear (&picks.tables);
  answer_clear (&picks.formulas);

  return 0;
}
