/* bench-large-pack.c: time to the window and to the first battle on a 50 MB pack (issue 9).
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Organisers' packs are 40–50 MB. The pack is made at run time with the real builder from
 * the real ko-arena-hard source repeated 28 times under new IDs (2,800 prompts × 6 models,
 * tests/ka-test-source.c); nothing is committed. Each run starts on a new database, as a
 * first start does, and measures from nothing:
 *
 *   before  what the app did until issue 9: read, validate and import the pack and set up
 *           the session on the main thread, then build and show the window. The first
 *           frame is both the window and the battle.
 *   after   what it does now (ka-application.c): the window at once with "Opening the
 *           Battle Pack…", the session made on a worker thread
 *           (ka_application_create_session_async()), then the battle.
 *
 * "window" is the first frame painted ("after-paint" of the frame clock), "battle" the
 * first frame painted with the battle page up; "frames" counts the frames painted while
 * the pack was read (the spinner turning: the window answers meanwhile). Prints every run,
 * the medians and the ratios; asserts no timings. Skips without KA_SHARED_DATA.
 *
 * Under Xvfb GTK renders with software GL (llvmpipe), which redraws the whole window for
 * each frame of the spinner: on a small shared machine that takes CPU from the worker and
 * the first battle comes later than "before"; with GSK_RENDERER=cairo (damage only) or a
 * GPU it does not.
 */

#define G_LOG_DOMAIN "bench-large-pack"

#include "config.h"

#include <sys/resource.h>
#include <glib/gstdio.h>
#include <adwaita.h>

#include "ka-application.h"
#include "ka-pack-builder.h"
#include "ka-test-source.h"
#include "ka-window.h"

#define N_RUNS 3
#define COPIES 28   /* × 100 prompts × 6 models ≈ 51 MB */

typedef struct
{
  double window_ms;
  double battle_ms;
  guint  frames;      /* painted between the window and the battle */
  double cpu_ms;      /* user + system time of the whole process, all threads */
} Timing;

static double
cpu_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
}

typedef struct
{
  gboolean      painted;
  guint         frames;
  GAsyncResult *result;
} Wait;

static void
after_paint_cb (GdkFrameClock *clock,
                Wait          *wait)
{
  wait->painted = TRUE;
  wait->frames++;
}

static void
wait_for_paint (KaWindow *window,
                Wait     *wait)
{
  wait->painted = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (window));
  while (!wait->painted)
    g_main_context_iteration (NULL, TRUE);
}

static double
ms_since (gint64 t0)
{
  return (g_get_monotonic_time () - t0) / 1000.0;
}

static void
remove_db (const char *db_path)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (db_path, suffixes[i], NULL);

      g_unlink (path);
    }
}

static Timing
run_before (const char *pack_path,
            const char *db_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaSession) session = NULL;
  Wait wait = { 0 };
  KaWindow *window;
  gint64 t0;
  gulong handler;
  Timing t;

  remove_db (db_path);
  t.cpu_ms = cpu_ms ();
  t0 = g_get_monotonic_time ();
  session = ka_application_create_session_for_mode (pack_path, db_path, "ko", KA_MODE_CITIZEN,
                                                    &error);
  if (session == NULL)
    g_error ("%s", error->message);
  window = ka_window_new (NULL, session);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  gtk_window_present (GTK_WINDOW (window));
  handler = g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                              G_CALLBACK (after_paint_cb), &wait);
  wait_for_paint (window, &wait);
  g_assert_cmpstr (ka_window_get_page (window), ==, "battle");
  t.window_ms = t.battle_ms = ms_since (t0);
  t.cpu_ms = cpu_ms () - t.cpu_ms;
  t.frames = 0;

  g_signal_handler_disconnect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), handler);
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return t;
}

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
}

static const char *renderer_name;

static Timing
run_after (const char *pack_path,
           const char *db_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaSession) session = NULL;
  Wait wait = { 0 };
  KaWindow *window;
  GdkFrameClock *clock;
  gint64 t0;
  gulong handler;
  Timing t;

  remove_db (db_path);
  t.cpu_ms = cpu_ms ();
  t0 = g_get_monotonic_time ();
  /* As create_window() in ka-application.c. */
  window = ka_window_new (NULL, NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  ka_application_create_session_async (pack_path, db_path, "ko", KA_MODE_CITIZEN, NULL,
                                       created_cb, &wait);
  gtk_window_present (GTK_WINDOW (window));
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &wait);
  wait_for_paint (window, &wait);
  t.window_ms = ms_since (t0);
  g_assert_cmpstr (ka_window_get_page (window), ==, "loading");
  renderer_name = G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (window)));

  wait.frames = 0;
  while (wait.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  t.frames = wait.frames;
  session = ka_application_create_session_finish (wait.result, &error);
  g_clear_object (&wait.result);
  if (session == NULL)
    g_error ("%s", error->message);
  ka_window_set_session (window, session);
  g_assert_cmpstr (ka_window_get_page (window), ==, "battle");
  wait_for_paint (window, &wait);
  t.battle_ms = ms_since (t0);
  t.cpu_ms = cpu_ms () - t.cpu_ms;

  g_signal_handler_disconnect (clock, handler);
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return t;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof (double), compare_doubles);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *real = ka_test_source_real_dir ();
  g_autofree char *tmp = NULL;
  g_autofree char *source = NULL;
  g_autofree char *pack_path = NULL;
  g_autofree char *db_path = NULL;
  g_autoptr(KaPack) pack = NULL;
  KaPackBuildOptions options = { 0 };
  double before_window[N_RUNS], before_battle[N_RUNS];
  double after_window[N_RUNS], after_battle[N_RUNS], after_frames[N_RUNS];
  double bw, bb, aw, ab;
  gint64 t0;

  gtk_init ();
  adw_init ();

  if (real == NULL)
    {
      g_print ("SKIP: KA_SHARED_DATA/ko_arena_hard is not there\n");
      return 77;
    }

  tmp = g_dir_make_tmp ("ka-bench-large-pack-XXXXXX", &error);
  g_assert_no_error (error);
  source = g_build_filename (tmp, "source", NULL);
  pack_path = g_build_filename (tmp, "pack.json", NULL);
  db_path = g_build_filename (tmp, "arena.sqlite3", NULL);

  /* The pack, with the real builder. */
  t0 = g_get_monotonic_time ();
  g_assert_true (ka_test_source_make (real, source, COPIES, 6, &error));
  g_assert_no_error (error);
  options.source = KA_PACK_SOURCE_KO_ARENA_HARD;
  options.source_dir = source;
  pack = ka_pack_build (&options, NULL, &error);
  g_assert_no_error (error);
  g_file_set_contents (pack_path, g_bytes_get_data (ka_pack_get_bytes (pack), NULL),
                       (gssize) g_bytes_get_size (ka_pack_get_bytes (pack)), &error);
  g_assert_no_error (error);
  g_print ("pack: %.1f MB, %u prompts, %u responses, %u models (made in %.0f ms)\n",
           g_bytes_get_size (ka_pack_get_bytes (pack)) / 1e6, ka_pack_get_n_prompts (pack),
           ka_pack_get_n_responses (pack), ka_pack_get_n_models (pack), ms_since (t0));
  g_clear_object (&pack);

  for (guint i = 0; i < N_RUNS; i++)
    {
      Timing b = run_before (pack_path, db_path);
      Timing a = run_after (pack_path, db_path);

      g_print ("run %u: before: window %7.0f ms, battle %7.0f ms, CPU %6.0f ms | after: "
               "window %5.0f ms, battle %7.0f ms, CPU %6.0f ms, %u frames painted while "
               "loading\n",
               i + 1, b.window_ms, b.battle_ms, b.cpu_ms, a.window_ms, a.battle_ms, a.cpu_ms,
               a.frames);
      before_window[i] = b.window_ms;
      before_battle[i] = b.battle_ms;
      after_window[i] = a.window_ms;
      after_battle[i] = a.battle_ms;
      after_frames[i] = a.frames;
    }

  bw = median (before_window, N_RUNS);
  bb = median (before_battle, N_RUNS);
  aw = median (after_window, N_RUNS);
  ab = median (after_battle, N_RUNS);
  g_print ("median time to the window:       before %7.0f ms, after %5.0f ms (%.3f× before)\n",
           bw, aw, aw / bw);
  g_print ("median time to the first battle: before %7.0f ms, after %5.0f ms (%.2f× before)\n",
           bb, ab, ab / bb);
  g_print ("median frames painted while the pack was read: %.0f (renderer %s; a software "
           "GL renderer's frames take CPU from the worker, GSK_RENDERER=cairo shows the "
           "difference)\n",
           median (after_frames, N_RUNS), renderer_name);

  ka_test_source_remove (tmp);
  return 0;
}
