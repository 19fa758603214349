/* bench-store.c: ballot commit latency beside the raw fsync latency of the same disk
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A ballot commit (BEGIN IMMEDIATE, read the chain head, hash, INSERT, COMMIT with
 * synchronous=FULL in WAL mode) should cost about one sync of the WAL. This prints the
 * median and p99 of N commits next to N raw "write 4 KiB + fdatasync" and "write 4 KiB +
 * fsync" operations in the same directory (overwriting in place, as a WAL does after a
 * checkpoint, and appending), interleaved one of each per round, the ratios, and commits
 * per second.
 *
 * KA_BENCH_DIR: directory to measure in (default: a new one under g_get_tmp_dir());
 * KA_BENCH_COMMITS: N (default 2000, at least 1000).
 */

#define G_LOG_DOMAIN "bench-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ka-store.h"

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

typedef struct
{
  double median_ms;
  double p99_ms;
  double mean_ms;
  double total_s;
} Stats;

static Stats
summarise (gint64 *samples,
           guint   n)
{
  Stats s = { 0 };
  gint64 total = 0;

  for (guint i = 0; i < n; i++)
    total += samples[i];
  qsort (samples, n, sizeof (gint64), compare_gint64);

  s.median_ms = samples[n / 2] / 1e6;
  s.p99_ms = samples[MIN (n - 1, (n * 99) / 100)] / 1e6;
  s.mean_ms = (double) total / n / 1e6;
  s.total_s = total / 1e9;
  return s;
}

/* A raw sync probe: a file in the same directory, written 4 KiB at a time. */
typedef struct
{
  const char *label;
  gboolean    append;      /* grow the file (a size change to sync), or overwrite in place */
  gboolean    data_only;   /* fdatasync rather than fsync */
  char       *path;
  int         fd;
  gint64     *samples;
} SyncProbe;

/* Ring of 1,024 blocks (4 MiB) for the overwrite probes: a WAL is overwritten from its
 * start again after each checkpoint, so its steady state is overwrites, not appends. */
#define RING_BLOCKS 1024

static void
sync_probe_open (SyncProbe  *probe,
                 const char *dir,
                 guint       n)
{
  g_autofree char *name = g_strdup_printf ("probe-%s-%s.bin",
                                           probe->append ? "append" : "overwrite",
                                           probe->data_only ? "fdatasync" : "fsync");
  char block[4096];

  probe->path = g_build_filename (dir, name, NULL);
  probe->samples = g_new (gint64, n);
  probe->fd = g_open (probe->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (probe->fd < 0)
    g_error ("%s: %s", probe->path, g_strerror (errno));

  if (!probe->append)
    {
      memset (block, 0, sizeof block);
      for (guint i = 0; i < RING_BLOCKS; i++)
        if (write (probe->fd, block, sizeof block) != (ssize_t) sizeof block)
          g_error ("write: %s", g_strerror (errno));
      if (fsync (probe->fd) != 0)
        g_error ("fsync: %s", g_strerror (errno));
    }
}

static void
sync_probe_step (SyncProbe *probe,
                 guint      i)
{
  char block[4096];
  gint64 start;
  ssize_t written;

  memset (block, 'a' + (i % 26), sizeof block);
  start = now_ns ();
  if (probe->append)
    written = write (probe->fd, block, sizeof block);
  else
    written = pwrite (probe->fd, block, sizeof block, (off_t) (i % RING_BLOCKS) * sizeof block);
  if (written != (ssize_t) sizeof block)
    g_error ("write: %s", g_strerror (errno));
  if ((probe->data_only ? fdatasync (probe->fd) : fsync (probe->fd)) != 0)
    g_error ("sync: %s", g_strerror (errno));
  probe->samples[i] = now_ns () - start;
}

static void
sync_probe_close (SyncProbe *probe)
{
  close (probe->fd);
  g_unlink (probe->path);
  g_free (probe->path);
  g_free (probe->samples);
}

static gint64
commit_one (KaStore *store,
            guint    i)
{
  static const char * const responses[] = { "r1", "r2", "r3", "r4" };
  g_autoptr(GError) error = NULL;
  g_autoptr(KaBallot) ballot = NULL;
  KaBallotDraft draft = {
    .session_id = "bench-session",
    .pack_id = "bench-pack",
    .prompt_id = "p1",
    .response_a = responses[i % 4],
    .response_b = responses[(i + 1) % 4],
    .winner = (KaWinner) (i % 4),
    .shown_at = "2026-11-29T12:00:00.000Z",
    .voted_at = "2026-11-29T12:00:07.500Z",
    .decision_ms = 7500,
    .mode = KA_MODE_KIOSK,
    .ui_language = "ko",
    .identity_flag = FALSE,
  };
  gint64 start = now_ns ();

  ballot = ka_store_commit_ballot (store, &draft, NULL, &error);
  g_assert_no_error (error);
  return now_ns () - start;
}

static void
print_row (const char *what,
           Stats       s)
{
  printf ("  %-32s median %7.3f ms   p99 %7.3f ms   mean %7.3f ms\n",
          what, s.median_ms, s.p99_ms, s.mean_ms);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = NULL;
  const char *dir_env = g_getenv ("KA_BENCH_DIR");
  const char *n_env = g_getenv ("KA_BENCH_COMMITS");
  guint n = n_env ? MAX (1000, (guint) g_ascii_strtoull (n_env, NULL, 10)) : 2000;
  g_autofree char *dir = NULL;
  g_autofree char *db_path = NULL;
  g_autofree gint64 *commit_samples = NULL;
  SyncProbe probes[] = {
    { "overwrite 4 KiB + fdatasync", FALSE, TRUE },
    { "overwrite 4 KiB + fsync", FALSE, FALSE },
    { "append 4 KiB + fdatasync", TRUE, TRUE },
    { "append 4 KiB + fsync", TRUE, FALSE },
  };
  Stats commit_stats;
  Stats probe_stats[G_N_ELEMENTS (probes)];
  gint64 wall_start;
  double wall_commit_s = 0;

  if (dir_env != NULL)
    dir = g_strdup (dir_env);
  else
    {
      dir = g_dir_make_tmp ("ka-bench-store-XXXXXX", &error);
      g_assert_no_error (error);
    }

  db_path = g_build_filename (dir, "bench.sqlite3", NULL);
  store = ka_store_open (db_path, &error);
  g_assert_no_error (error);
  commit_samples = g_new (gint64, n);
  for (guint p = 0; p < G_N_ELEMENTS (probes); p++)
    sync_probe_open (&probes[p], dir, n);

  /* Warm-up, not counted. */
  for (guint i = 0; i < 20; i++)
    {
      commit_one (store, i);
      for (guint p = 0; p < G_N_ELEMENTS (probes); p++)
        sync_probe_step (&probes[p], i);
    }

  /* Interleaved, so that every kind of operation sees the same disk and the same load
   * from whatever else runs on the machine. */
  for (guint i = 0; i < n; i++)
    {
      wall_start = now_ns ();
      commit_samples[i] = commit_one (store, i);
      wall_commit_s += (now_ns () - wall_start) / 1e9;
      for (guint p = 0; p < G_N_ELEMENTS (probes); p++)
        sync_probe_step (&probes[p], i);
    }

  g_assert_true (ka_store_verify_chains (store, NULL, &error));
  g_assert_no_error (error);

  commit_stats = summarise (commit_samples, n);
  for (guint p = 0; p < G_N_ELEMENTS (probes); p++)
    probe_stats[p] = summarise (probes[p].samples, n);

  printf ("bench-store: %u of each operation, interleaved, in %s\n"
          "  (SQLite %s, WAL, synchronous=FULL; one ballot per transaction)\n",
          n, dir, sqlite3_libversion ());
  print_row ("ballot commit (ka_store_commit)", commit_stats);
  for (guint p = 0; p < G_N_ELEMENTS (probes); p++)
    print_row (probes[p].label, probe_stats[p]);
  for (guint p = 0; p < G_N_ELEMENTS (probes); p++)
    printf ("  ratio commit / %-28s median %5.2f   p99 %5.2f\n", probes[p].label,
            commit_stats.median_ms / probe_stats[p].median_ms,
            commit_stats.p99_ms / probe_stats[p].p99_ms);
  printf ("  commits per second (sequential, one thread): %.0f\n", n / wall_commit_s);

  for (guint p = 0; p < G_N_ELEMENTS (probes); p++)
    sync_probe_close (&probes[p]);
  g_clear_object (&store);
  {
    g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);

    g_unlink (db_path);
    g_unlink (wal);
    g_unlink (shm);
  }
  if (dir_env == NULL)
    g_rmdir (dir);

  return 0;
}
