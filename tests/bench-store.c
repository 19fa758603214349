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
 * Then the UI-thread time of "next battle" (issue 11), the old way and the new way in the
 * same run, interleaved, first on an idle store and then while another thread runs
 * 500-ballot transactions as the sync worker does (ka_store_settle_deliveries()):
 *   - before: ka_scheduler_next() + ka_store_record_battle(), what ka_session_next_battle()
 *     did on the UI thread (BEGIN IMMEDIATE … COMMIT with fsync, behind the store's lock);
 *   - after: ka_session_next_battle(), which queues the write to the store's writer thread.
 * Each round then votes (untimed: synchronously for "before", ka_session_vote_async() and
 * its callback for "after"), as a voter would.
 *
 * KA_BENCH_DIR: directory to measure in (default: a new one under g_get_tmp_dir());
 * KA_BENCH_COMMITS: N (default 2000, at least 1000);
 * KA_BENCH_BATTLES: rounds of next battle per condition (default 300, at least 100).
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

#include "ka-scheduler.h"
#include "ka-session.h"
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

/* The UI-thread time of next battle, before and after (issue 11). */

#define UI_PACK_ID "bench-ui"
#define UI_PROMPTS 40
#define UI_MODELS 4

/* An open pack of UI_MODELS × UI_PROMPTS short responses "r<prompt>-<model>". */
static KaPack *
build_ui_pack (void)
{
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  KaPack *pack;

  g_string_append_printf (json,
                          "{\"format\":\"%s\",\"pack_id\":\"" UI_PACK_ID "\","
                          "\"title\":{\"ko\":\"벤치\",\"en\":\"Bench\"},\"language\":\"ko\","
                          "\"created_at\":\"2026-12-01T00:00:00Z\",\"licence\":\"Apache-2.0\","
                          "\"identity_terms\":[],\"models\":[", KA_PACK_FORMAT);
  for (guint m = 0; m < UI_MODELS; m++)
    g_string_append_printf (json, "%s{\"model_id\":\"m%u\",\"display_name\":\"Model %u\"}",
                            m ? "," : "", m, m);
  g_string_append (json, "],\"prompts\":[");
  for (guint p = 0; p < UI_PROMPTS; p++)
    g_string_append_printf (json, "%s{\"prompt_id\":\"p%u\",\"turns\":[\"질문 %u\"]}",
                            p ? "," : "", p, p);
  g_string_append (json, "],\"responses\":[");
  for (guint p = 0; p < UI_PROMPTS; p++)
    for (guint m = 0; m < UI_MODELS; m++)
      g_string_append_printf (json,
                              "%s{\"response_id\":\"r%u-%u\",\"prompt_id\":\"p%u\","
                              "\"model_id\":\"m%u\",\"turns\":[\"답 %u-%u\"]}",
                              p || m ? "," : "", p, m, p, m, p, m);
  g_string_append (json, "]}");

  bytes = g_string_free_to_bytes (g_steal_pointer (&json));
  pack = ka_pack_new_from_bytes (bytes, &error);
  g_assert_no_error (error);
  return pack;
}

/* The sync worker's load: 500 ballots, then one 500-ballot settle_deliveries()
 * transaction after another until told to stop. */
typedef struct
{
  KaStore *store;
  gint     stop;           /* atomic */
  gint     transactions;   /* atomic */
} Load;

static gpointer
load_thread (gpointer data)
{
  Load *load = data;
  KaDeliverySettlement *settlements = g_new0 (KaDeliverySettlement, 500);
  char **ids = g_new0 (char *, 501);

  for (guint i = 0; i < 500; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KaBallot) ballot = NULL;
      KaBallotDraft draft = {
        .session_id = "load", .pack_id = UI_PACK_ID, .prompt_id = "p0",
        .response_a = "r0-0", .response_b = "r0-1", .winner = KA_WINNER_TIE,
        .shown_at = "2026-12-01T00:00:00.000Z", .voted_at = "2026-12-01T00:00:05.000Z",
        .decision_ms = 5000, .mode = KA_MODE_KIOSK, .ui_language = "ko",
      };

      ballot = ka_store_commit_ballot (load->store, &draft, NULL, &error);
      g_assert_no_error (error);
      ids[i] = g_strdup (ballot->ballot_id);
      settlements[i].ballot_id = ids[i];
      settlements[i].state = KA_DELIVERY_REJECTED;
      settlements[i].receipt = "{\"status\":\"rejected\"}";
    }

  while (!g_atomic_int_get (&load->stop))
    {
      g_autoptr(GError) error = NULL;

      ka_store_settle_deliveries (load->store, settlements, 500, NULL, &error);
      g_assert_no_error (error);
      g_atomic_int_inc (&load->transactions);
    }

  g_free (settlements);
  g_strfreev (ids);
  return NULL;
}

static void
vote_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaBallot) ballot = ka_session_vote_finish (KA_SESSION (source), result, &error);
  gboolean *done = user_data;

  g_assert_no_error (error);
  *done = TRUE;
}

/* Before: the old ka_session_next_battle()'s store work, on this (the UI) thread. */
static gint64
next_battle_before (KaStore     *store,
                    KaScheduler *scheduler,
                    guint        round)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaBattle) battle = NULL;
  g_autoptr(KaBallot) ballot = NULL;
  g_autofree char *shown_at = NULL;
  g_autofree char *voted_at = NULL;
  const KaPackPrompt *prompt;
  KaBallotDraft draft = { 0 };
  gint64 start, elapsed;

  start = now_ns ();
  battle = ka_scheduler_next (scheduler, &error);
  if (battle == NULL)
    {
      g_clear_error (&error);
      ka_scheduler_reset_session (scheduler);
      battle = ka_scheduler_next (scheduler, &error);
    }
  g_assert_no_error (error);
  prompt = ka_battle_get_prompt (battle);
  shown_at = ka_timestamp_now ();
  g_assert_true (ka_store_record_battle (store, ka_battle_get_id (battle), "before",
                                         UI_PACK_ID, prompt->prompt_id,
                                         ka_battle_get_response_a (battle)->response_id,
                                         ka_battle_get_response_b (battle)->response_id,
                                         shown_at, &error));
  elapsed = now_ns () - start;
  g_assert_no_error (error);

  /* The vote, untimed. */
  voted_at = ka_timestamp_now ();
  draft.session_id = "before";
  draft.pack_id = UI_PACK_ID;
  draft.prompt_id = prompt->prompt_id;
  draft.response_a = ka_battle_get_response_a (battle)->response_id;
  draft.response_b = ka_battle_get_response_b (battle)->response_id;
  draft.winner = (KaWinner) (round % 4);
  draft.shown_at = shown_at;
  draft.voted_at = voted_at;
  draft.decision_ms = 1;
  draft.mode = KA_MODE_KIOSK;
  draft.ui_language = "ko";
  ballot = ka_store_commit_ballot (store, &draft, ka_battle_get_id (battle), &error);
  g_assert_no_error (error);

  return elapsed;
}

/* After: ka_session_next_battle() itself. */
static gint64
next_battle_after (KaSession *session,
                   guint      round)
{
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;
  gint64 start, elapsed;

  start = now_ns ();
  if (!ka_session_next_battle (session, &error))
    {
      g_assert_error (error, KA_SCHEDULER_ERROR, KA_SCHEDULER_ERROR_EXHAUSTED);
      g_clear_error (&error);
      ka_session_reset (session);
      start = now_ns ();
      g_assert_true (ka_session_next_battle (session, &error));
    }
  elapsed = now_ns () - start;
  g_assert_no_error (error);

  /* The vote, untimed: committed on the writer thread after the battle. */
  ka_session_vote_async (session, (KaWinner) (round % 4), NULL, vote_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  return elapsed;
}

static void
bench_next_battle (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = g_build_filename (dir, "bench-ui.sqlite3", NULL);
  g_autoptr(KaStore) store = NULL;
  g_autoptr(KaPack) pack = build_ui_pack ();
  g_autoptr(KaScheduler) scheduler_before = NULL;
  g_autoptr(KaScheduler) scheduler_after = NULL;
  g_autoptr(KaSession) session = NULL;
  const char *n_env = g_getenv ("KA_BENCH_BATTLES");
  guint n = n_env ? MAX (100, (guint) g_ascii_strtoull (n_env, NULL, 10)) : 300;
  g_autofree gint64 *before = g_new (gint64, n);
  g_autofree gint64 *after = g_new (gint64, n);

  store = ka_store_open (db_path, &error);
  g_assert_no_error (error);
  g_assert_true (ka_store_import_pack (store, pack, &error));
  scheduler_before = ka_scheduler_new (pack, NULL, 11);
  scheduler_after = ka_scheduler_new (pack, NULL, 11);
  session = ka_session_new (store, scheduler_after, KA_MODE_KIOSK, "ko");

  printf ("bench-store: UI-thread time of next battle, %u rounds of each, interleaved "
          "(issue 11)\n", n);

  for (guint loaded = 0; loaded < 2; loaded++)
    {
      Load load = { store, 0, 0 };
      GThread *thread = NULL;
      Stats b, a;

      if (loaded)
        {
          thread = g_thread_new ("bench-load", load_thread, &load);
          while (g_atomic_int_get (&load.transactions) == 0)
            g_usleep (1000);
        }

      for (guint i = 0; i < 10; i++)   /* warm-up */
        {
          next_battle_before (store, scheduler_before, i);
          next_battle_after (session, i);
        }
      for (guint i = 0; i < n; i++)
        {
          before[i] = next_battle_before (store, scheduler_before, i);
          after[i] = next_battle_after (session, i);
        }

      if (loaded)
        {
          g_atomic_int_set (&load.stop, TRUE);
          g_thread_join (thread);
        }

      b = summarise (before, n);
      a = summarise (after, n);
      if (loaded)
        printf ("  while another thread ran %d 500-ballot transactions (as the sync worker "
                "does):\n", g_atomic_int_get (&load.transactions));
      else
        printf ("  idle store:\n");
      print_row ("before: next + record_battle", b);
      print_row ("after: ka_session_next_battle", a);
      printf ("  ratio before / after%-13s median %7.1f   p99 %7.1f\n", "",
              b.median_ms / a.median_ms, b.p99_ms / a.p99_ms);
    }

  g_clear_object (&session);
  g_clear_object (&store);
  {
    g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);

    g_unlink (db_path);
    g_unlink (wal);
    g_unlink (shm);
  }
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

  bench_next_battle (dir);
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
