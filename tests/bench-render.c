/* bench-render.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How long does one answer take to show? Finds the longest real answer in the data sets
 * (ko-arena-hard, MT-bench, LogicKor) and prints the median of N runs of:
 *   parse   ka_markdown_render() into a fresh buffer (md4c + tags, no widget);
 *   view    ka_response_view_set_response() in a realized window, no layout;
 *   draw    the same, then the first frame (gtk_test_widget_wait_for_draw);
 *   layout  the same, then Pango layout of every line (gtk_text_view_get_iter_location on
 *           each line) and gtk_widget_measure() of the text view;
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

static void
scan_dir (const char *dir,
          Answer     *longest,
          guint      *n_answers)
{
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
          scan_dir (path, longest, n_answers);
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

  g_print ("%-8s median %8.2f ms  (min %7.2f, max %7.2f, n=%u)  %9.0f chars/s\n",
           what, m * 1000,
           g_array_index (samples, double, 0) * 1000,
           g_array_index (samples, double, samples->len - 1) * 1000,
           samples->len, m > 0 ? n_chars / m : 0);
}

static void
full_layout (GtkTextView *text_view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (text_view);
  GtkTextIter iter;
  int height;

  gtk_text_buffer_get_start_iter (buffer, &iter);
  do
    {
      GdkRectangle rect;

      gtk_text_view_get_iter_location (text_view, &iter, &rect);
    }
  while (gtk_text_iter_forward_line (&iter));

  gtk_widget_measure (GTK_WIDGET (text_view), GTK_ORIENTATION_VERTICAL,
                      gtk_widget_get_width (GTK_WIDGET (text_view)), NULL, &height, NULL, NULL);
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
  GtkTextView *text_view = ka_response_view_get_text_view (view);

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

      full_layout (text_view);
      t = (g_get_monotonic_time () - start) / 1e6;
      g_array_append_val (laid_out, t);
    }

  *n_chars = gtk_text_buffer_get_char_count (gtk_text_view_get_buffer (text_view));
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
  Answer longest = { 0, };
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
        scan_dir (local, &longest, &n_answers);
      else if (remote != NULL)
        scan_dir (remote, &longest, &n_answers);
    }

  if (longest.turns == NULL)
    {
      g_print ("bench-render: no answer files (tests/data or KA_SHARED_DATA); nothing measured\n");
      return 0;
    }

  joined = g_strjoinv ("\n\n", longest.turns);
  g_print ("longest of %u answers: %s line %u, %u turn(s), %" G_GSIZE_FORMAT " bytes, "
           "%ld characters; %u runs each\n",
           n_answers, longest.path, longest.line, g_strv_length (longest.turns), longest.bytes,
           g_utf8_strlen (joined, -1), runs);

  bench_parse (joined, runs, "parse");

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 640, 800);
  view = KA_RESPONSE_VIEW (ka_response_view_new ());
  ka_response_view_set_label (view, "Model A");
  gtk_window_set_child (window, GTK_WIDGET (view));
  gtk_window_present (window);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  bench_view (view, window, longest.turns, runs, &n_chars);

  /* Hostile inputs, cut at the per-turn cap. */
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
  answer_clear (&longest);

  return 0;
}
