/* bench-export.c: `kai-arena-admin export` of a whole contest beside a plain dump
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Issue 11 measured the export of 100,000 ballots at 15 s and 760 MiB, 38× a plain
 * `sqlite3 -csv` dump of the ballots table. This makes a store of N simulated ballots
 * (through the store API, on /dev/shm when there is one, so that making it does not take
 * minutes of fsync; then copied next to the export), runs `kai-arena-admin export` on it
 * (writer and its self-audit) and, in the same run, a plain dump of the ballots table
 * through the SQLite API in a child process of this benchmark (`SELECT *` written as
 * sqlite3's CSV mode writes it). Both are timed (wall clock, and CPU time of the child
 * from wait4()) with their peak RSS; the ratios are printed beside the figures.
 * It asserts no timing.
 *
 * KA_BENCH_EXPORT_BALLOTS: N (default 100000). KA_ADMIN: the built kai-arena-admin.
 */

#define G_LOG_DOMAIN "bench-export"

#include "config.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ka-pack.h"
#include "ka-store.h"

typedef struct
{
  double wall_s;
  double cpu_s;
  double rss_mib;
  int    status;
} Run;

static double
tv_s (struct timeval tv)
{
  return tv.tv_sec + tv.tv_usec / 1e6;
}

/* Runs @argv, waits with wait4() for its own resource usage. */
static Run
run_child (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  struct rusage ru;
  GPid pid;
  gint64 start = g_get_monotonic_time ();
  int status = 0;
  Run r = { 0, };

  if (!g_spawn_async (NULL, (char **) argv, NULL,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, &pid,
                      &error))
    g_error ("cannot start %s: %s", argv[0], error->message);
  while (wait4 (pid, &status, 0, &ru) < 0 && errno == EINTR)
    ;
  r.wall_s = (g_get_monotonic_time () - start) / 1e6;
  r.cpu_s = tv_s (ru.ru_utime) + tv_s (ru.ru_stime);
  r.rss_mib = ru.ru_maxrss / 1024.0;
  r.status = WIFEXITED (status) ? WEXITSTATUS (status) : -1;
  return r;
}

/* sqlite3's CSV mode: a field is quoted when it holds a quote, comma or line break. */
static void
csv_field (FILE       *out,
           const char *s)
{
  if (s == NULL)
    return;
  if (strpbrk (s, "\",\r\n") == NULL)
    {
      fputs (s, out);
      return;
    }
  fputc ('"', out);
  for (const char *c = s; *c != '\0'; c++)
    {
      if (*c == '"')
        fputc ('"', out);
      fputc (*c, out);
    }
  fputc ('"', out);
}

/* The baseline, in a child: every row and column of the ballots table to a CSV file. */
static int
dump (const char *db_path,
      const char *out_path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  FILE *out = fopen (out_path, "w");
  int rc;

  if (out == NULL || sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (db, "SELECT * FROM ballots", -1, &stmt, NULL) != SQLITE_OK)
    return 1;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int n = sqlite3_column_count (stmt);

      for (int i = 0; i < n; i++)
        {
          if (i > 0)
            fputc (',', out);
          csv_field (out, (const char *) sqlite3_column_text (stmt, i));
        }
      fputc ('\n', out);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return rc == SQLITE_DONE && fclose (out) == 0 ? 0 : 1;
}

/* N ballots on random pairs of the sample pack's answers, through the store API. */
static void
make_store (const char *path,
            KaPack     *pack,
            guint       n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = ka_store_open (path, &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261208);
  guint n_responses = ka_pack_get_n_responses (pack);
  gint64 t0 = 1796691498;

  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      const KaPackResponse *a = ka_pack_get_response (pack, g_rand_int_range (rand, 0, n_responses));
      const KaPackResponse *b = NULL;
      g_autoptr(GDateTime) shown = g_date_time_new_from_unix_utc (t0 + i);
      g_autoptr(GDateTime) voted = g_date_time_add_seconds (shown, 3.25);
      g_autofree char *shown_at = ka_timestamp_format (shown);
      g_autofree char *voted_at = ka_timestamp_format (voted);
      g_autofree char *session = g_strdup_printf ("session-%u", i / 20);
      KaBallotDraft draft = { 0, };
      KaBallot *ballot;

      /* Another model's answer to the same prompt. */
      while (b == NULL)
        {
          const KaPackResponse *c = ka_pack_get_response (pack, g_rand_int_range (rand, 0, n_responses));

          if (g_str_equal (c->prompt_id, a->prompt_id) && g_strcmp0 (c->model_id, a->model_id) != 0)
            b = c;
        }
      draft.session_id = session;
      draft.pack_id = ka_pack_get_id (pack);
      draft.prompt_id = a->prompt_id;
      draft.response_a = a->response_id;
      draft.response_b = b->response_id;
      draft.winner = (KaWinner) g_rand_int_range (rand, 0, 4);
      draft.shown_at = shown_at;
      draft.voted_at = voted_at;
      draft.decision_ms = g_rand_int_range (rand, 800, 60000);
      draft.mode = i % 5 == 0 ? KA_MODE_KIOSK : KA_MODE_CITIZEN;
      draft.ui_language = i % 3 == 0 ? "en" : "ko";
      draft.identity_flag = i % 997 == 0;
      ballot = ka_store_commit_ballot (store, &draft, NULL, &error);
      g_assert_no_error (error);
      ka_ballot_free (ballot);
    }
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      remove_tree (child);
    }
  g_remove (path);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *admin = g_getenv ("KA_ADMIN");
  const char *root = g_getenv ("KA_SOURCE_ROOT");
  const char *count = g_getenv ("KA_BENCH_EXPORT_BALLOTS");
  guint n = count != NULL ? (guint) g_ascii_strtoull (count, NULL, 10) : 100000;
  g_autofree char *shm = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *made = NULL;
  g_autofree char *db = NULL;
  g_autofree char *pack_path = NULL;
  g_autofree char *out_dir = NULL;
  g_autofree char *dump_path = NULL;
  g_autofree char *self = NULL;
  g_autoptr(KaPack) pack = NULL;
  g_autoptr(GFile) from = NULL;
  g_autoptr(GFile) to = NULL;
  gint64 start;
  Run base, exp;

  if (argc == 4 && g_str_equal (argv[1], "--dump"))
    return dump (argv[2], argv[3]);

  if (admin == NULL || root == NULL)
    {
      printf ("1..0 # SKIP KA_ADMIN and KA_SOURCE_ROOT are needed (run through meson)\n");
      return 0;
    }
  if (n == 0)
    n = 100000;
  self = g_canonicalize_filename (argv[0], NULL);

  pack_path = g_build_filename (root, "data", "packs", "sample-ko.json", NULL);
  pack = ka_pack_new_from_file (pack_path, &error);
  g_assert_no_error (error);

  tmp = g_dir_make_tmp ("ka-bench-export-XXXXXX", &error);
  g_assert_no_error (error);
  if (g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) && access ("/dev/shm", W_OK) == 0)
    {
      shm = g_build_filename ("/dev/shm", "ka-bench-export-XXXXXX", NULL);
      if (g_mkdtemp (shm) == NULL)
        g_clear_pointer (&shm, g_free);
    }
  made = g_build_filename (shm != NULL ? shm : tmp, "made.sqlite", NULL);
  db = g_build_filename (tmp, "store.sqlite", NULL);
  out_dir = g_build_filename (tmp, "export", NULL);
  dump_path = g_build_filename (tmp, "dump.csv", NULL);

  start = g_get_monotonic_time ();
  make_store (made, pack, n);
  from = g_file_new_for_path (made);
  to = g_file_new_for_path (db);
  g_assert_true (g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  printf ("# store of %u ballots made in %.1f s (%s)\n", n,
          (g_get_monotonic_time () - start) / 1e6, shm != NULL ? "on /dev/shm, copied" : "on disk");

  {
    const char * const dump_argv[] = { self, "--dump", db, dump_path, NULL };
    const char * const export_argv[] = { admin, "export", "--database", db, "--pack", pack_path,
                                         "-o", out_dir, NULL };

    /* Warm the page cache for both, then measure. */
    base = run_child (dump_argv);
    g_remove (dump_path);
    base = run_child (dump_argv);
    exp = run_child (export_argv);
  }
  g_assert_cmpint (base.status, ==, 0);
  g_assert_cmpint (exp.status, ==, 0);

  printf ("# %-28s %9s %9s %10s\n", "", "wall s", "CPU s", "peak MiB");
  printf ("# %-28s %9.2f %9.2f %10.1f\n", "plain dump (SQLite API)", base.wall_s, base.cpu_s, base.rss_mib);
  printf ("# %-28s %9.2f %9.2f %10.1f\n", "kai-arena-admin export", exp.wall_s, exp.cpu_s, exp.rss_mib);
  printf ("# export / dump: %.1f× wall, %.1f× CPU (goal: within 3×)\n",
          exp.wall_s / base.wall_s, exp.cpu_s / base.cpu_s);
  printf ("# issue 11 before: 15 s, 760 MiB, 38× the plain dump (100,000 ballots)\n");
  printf ("1..1\nok 1 /bench/export %u ballots: %.2f s, %.1f MiB, %.1f× the dump\n", n,
          exp.wall_s, exp.rss_mib, exp.wall_s / base.wall_s);

  remove_tree (tmp);
  if (shm != NULL)
    remove_tree (shm);
  return 0;
}
