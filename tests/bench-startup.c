/* bench-startup.c: from nothing to the first battle on screen, on the real sample pack.
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each run: load the pack, open (or create) the ballot database, import the pack, build
 * the scheduler and session (what KaApplication does), build and present the window, and
 * wait for the frame clock's first "after-paint" with the battle shown. "First start"
 * runs use a new database each time; "later start" runs reopen one that already holds the
 * pack. Prints every run and the medians; asserts no timings.
 */

#define G_LOG_DOMAIN "bench-startup"

#include "config.h"

#include <glib/gstdio.h>
#include <adwaita.h>

#include "ka-application.h"
#include "ka-window.h"

#define N_RUNS 5

typedef struct
{
  double session_ms;
  double window_ms;
  double paint_ms;
  double total_ms;
} Timing;

static void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

static gboolean
timed_out_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static Timing
run_once (const char *pack_path,
          const char *db_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaSession) session = NULL;
  KaWindow *window;
  GdkFrameClock *clock;
  gboolean painted = FALSE, timed_out = FALSE;
  gint64 t0, t1, t2, t3;
  gulong handler;
  guint timeout;
  Timing t;

  t0 = g_get_monotonic_time ();
  session = ka_application_create_session (pack_path, db_path, "ko", &error);
  if (session == NULL)
    g_error ("%s", error->message);
  t1 = g_get_monotonic_time ();

  window = ka_window_new (NULL, session);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  g_assert_cmpstr (ka_window_get_page (window), ==, "battle");
  gtk_window_present (GTK_WINDOW (window));
  t2 = g_get_monotonic_time ();

  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  timeout = g_timeout_add (60000, timed_out_cb, &timed_out);
  while (!painted && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("the window was never painted");
  g_source_remove (timeout);
  t3 = g_get_monotonic_time ();
  g_signal_handler_disconnect (clock, handler);

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;

  t.session_ms = (t1 - t0) / 1000.0;
  t.window_ms = (t2 - t1) / 1000.0;
  t.paint_ms = (t3 - t2) / 1000.0;
  t.total_ms = (t3 - t0) / 1000.0;

  return t;
}

static int
compare_double (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *values,
        guint   n)
{
  g_qsort_with_data (values, n, sizeof (double), compare_double, NULL);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

static void
report (const char   *label,
        const Timing *runs,
        guint         n)
{
  double session[N_RUNS], window[N_RUNS], paint[N_RUNS], total[N_RUNS];

  for (guint i = 0; i < n; i++)
    {
      g_print ("%s run %u: session %.1f ms, window %.1f ms, first paint %.1f ms, total %.1f ms\n",
               label, i + 1, runs[i].session_ms, runs[i].window_ms, runs[i].paint_ms,
               runs[i].total_ms);
      session[i] = runs[i].session_ms;
      window[i] = runs[i].window_ms;
      paint[i] = runs[i].paint_ms;
      total[i] = runs[i].total_ms;
    }

  g_print ("%s median of %u: session %.1f ms, window %.1f ms, first paint %.1f ms, "
           "total %.1f ms\n",
           label, n, median (session, n), median (window, n), median (paint, n),
           median (total, n));
}

static void
remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_unlink (child);
    }
  g_rmdir (path);
}

int
main (int   argc,
      char *argv[])
{
  const char *root = g_getenv ("KA_SOURCE_ROOT");
  g_autofree char *pack_path = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *later_db = NULL;
  g_autoptr(GError) error = NULL;
  Timing first[N_RUNS], later[N_RUNS];

  gtk_init ();
  adw_init ();

  pack_path = g_build_filename (root != NULL ? root : ".", "data", "packs", "sample-ko.json",
                                NULL);
  if (!g_file_test (pack_path, G_FILE_TEST_IS_REGULAR))
    {
      g_print ("SKIP: %s not found (set KA_SOURCE_ROOT)\n", pack_path);
      return 77;
    }

  tmpdir = g_dir_make_tmp ("ka-bench-startup-XXXXXX", &error);
  g_assert_no_error (error);

  /* Warm up GTK's theme, fonts and resources once, outside the figures. */
  {
    g_autofree char *db = g_build_filename (tmpdir, "warmup.sqlite", NULL);
    run_once (pack_path, db);
  }

  for (guint i = 0; i < N_RUNS; i++)
    {
      g_autofree char *name = g_strdup_printf ("first-%u.sqlite", i);
      g_autofree char *db = g_build_filename (tmpdir, name, NULL);

      first[i] = run_once (pack_path, db);
    }

  later_db = g_build_filename (tmpdir, "first-0.sqlite", NULL);
  for (guint i = 0; i < N_RUNS; i++)
    later[i] = run_once (pack_path, later_db);

  g_print ("pack: %s\n", pack_path);
  report ("first start (new database)", first, N_RUNS);
  report ("later start (pack already imported)", later, N_RUNS);

  remove_dir (tmpdir);

  return 0;
}
