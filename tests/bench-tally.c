/* bench-tally.c: `kai-arena-admin tally --input` on 10 M ballots and on human.json
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints figures only; asserts no timing. Baselines quoted in issue 11 (same machine,
 * before this work): 10 M ballots took 23.8 s and 840 MiB; human.json (26,919 votes) with
 * 1,000 rounds took about 0.19 s, 18–20× faster than FastChat's Python pipeline (so
 * FastChat's took about 3.4–3.8 s; it is not runnable here). Goals: 10 M ballots with
 * 1,000 rounds in under 10 s with memory independent of the file size; human.json at
 * least 40× faster than FastChat's (≤ 0.095 s).
 *
 * Cases, each run as a child process whose peak RSS comes from wait4()'s rusage:
 *  1. A 10 M-ballot JSON Lines file (20 models, FastChat fields plus `tstamp`, about
 *     0.9 GB), generated here in a temporary directory and deleted afterwards:
 *     a. `kai-arena-admin tally --input FILE` (1,000 rounds): the streaming path;
 *     b. the same with 1 M ballots, to show that memory does not grow with the file;
 *     c. the whole-file path as `tally --input` ran it before (ka_export_load_fastchat():
 *        the file in memory, a json-glib tree per line, a KaVoteLog; then
 *        ka_rating_tally()), in a forked child. Skipped with KA_BENCH_SKIP_OLD=1.
 *  2. human.json: `tally --input` with 1,000 rounds on 1 and 2 threads, and the old
 *     whole-file path.
 * The machine's 2 cores are shared with other jobs: CPU time (user + system) is printed
 * beside wall time, and each case is run three times (best wall time kept).
 */

#define G_LOG_DOMAIN "bench-tally"

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ka-export.h"
#include "ka-rating.h"

#define N_MODELS 20
#define BIG 10000000
#define QUOTED_10M_S 23.8
#define QUOTED_10M_MIB 840.0
#define QUOTED_HUMAN_S 0.19
#define QUOTED_FASTCHAT_LOW_S (0.19 * 18)
#define QUOTED_FASTCHAT_HIGH_S (0.19 * 20)

typedef struct
{
  double wall;
  double cpu;
  double rss_mib;
  int    status;
} Run;

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static void
finish_run (pid_t  pid,
            double t0,
            Run   *run)
{
  struct rusage ru;
  int status = 0;

  g_assert_cmpint (wait4 (pid, &status, 0, &ru), ==, pid);
  run->wall = now_s () - t0;
  run->cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
             ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  run->rss_mib = ru.ru_maxrss / 1024.0;
  run->status = status;
}

/* `kai-arena-admin tally --input PATH --format csv --bootstrap 1000 --threads N`, output
 * discarded. */
static Run
run_admin_rounds (const char *path,
                  guint       threads,
                  const char *rounds)
{
  const char *admin = g_getenv ("KA_ADMIN");
  g_autofree char *t = g_strdup_printf ("%u", threads);
  const char *argv[] = { admin, "tally", "--input", path, "--format", "csv",
                         "--bootstrap", rounds, "--threads", t, NULL };
  GError *error = NULL;
  GPid pid;
  double t0 = now_s ();
  Run run;

  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                                NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  finish_run (pid, t0, &run);
  g_assert_true (g_spawn_check_wait_status (run.status, NULL));
  return run;
}

static Run
run_admin (const char *path,
           guint       threads)
{
  return run_admin_rounds (path, threads, "1000");
}

static Run
run_admin_no_bootstrap (const char *path,
                        guint       threads)
{
  return run_admin_rounds (path, threads, "0");
}

/* The path `tally --input` took before: the whole file, a json-glib tree per battle, a
 * KaVoteLog, then ka_rating_tally(); in a forked child so that its peak RSS is its own. */
static Run
run_old_path (const char *path,
              guint       threads)
{
  double t0 = now_s ();
  pid_t pid;
  Run run;

  fflush (stdout);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      char *text = NULL;
      gsize len = 0;
      GBytes *bytes;
      KaVoteLog *log = ka_vote_log_new ();
      KaRatingResult *r;
      KaRatingOptions o;
      char *csv;

      if (!g_file_get_contents (path, &text, &len, NULL))
        _exit (1);
      bytes = g_bytes_new_take (text, len);
      if (ka_export_detect_input (bytes) != KA_INPUT_FASTCHAT ||
          !ka_export_load_fastchat (log, bytes, NULL))
        _exit (1);
      ka_rating_options_init (&o);
      o.n_threads = threads;
      r = ka_rating_tally (log, NULL, &o, NULL, NULL);
      if (r == NULL)
        _exit (1);
      csv = ka_rating_result_to_csv (r);
      _exit (csv != NULL ? 0 : 1);
    }
  finish_run (pid, t0, &run);
  g_assert_true (WIFEXITED (run.status) && WEXITSTATUS (run.status) == 0);
  return run;
}

static Run
best_of (Run (*func) (const char *, guint),
         const char *path,
         guint       threads,
         guint       times)
{
  Run best = { 0, };

  for (guint i = 0; i < times; i++)
    {
      Run r = func (path, threads);

      if (i == 0 || r.wall < best.wall)
        best = r;
    }
  return best;
}

static void
print_run (const char *label,
           const Run  *r)
{
  printf ("%-58s %7.3f s wall  %7.3f s CPU  %7.1f MiB peak RSS\n",
          label, r->wall, r->cpu, r->rss_mib);
}

/* FastChat-style JSON Lines in time order; model strength rises with its index. */
static gsize
write_ballots (const char *path,
               guint       n)
{
  FILE *f = g_fopen (path, "wb");
  GRand *rand = g_rand_new_with_seed (2026);
  static const char * const winners[] = { "model_a", "model_b", "tie", "tie (bothbad)" };
  char names[N_MODELS][32];
  char *buf = g_malloc (1 << 20);
  gsize size = 0;

  g_assert_nonnull (f);
  setvbuf (f, buf, _IOFBF, 1 << 20);
  for (guint i = 0; i < N_MODELS; i++)
    g_snprintf (names[i], sizeof names[i], "model-%02u-%s", i, i % 2 ? "chat" : "instruct");

  for (guint k = 0; k < n; k++)
    {
      guint a = g_rand_int_range (rand, 0, N_MODELS);
      guint b = (a + g_rand_int_range (rand, 1, N_MODELS)) % N_MODELS;
      double pa = 1.0 / (1.0 + exp ((double) ((int) b - (int) a) * 0.08));
      double u = g_rand_double (rand);
      guint w = u < 0.2 ? 2 + (u < 0.08) : (g_rand_double (rand) < pa ? 0 : 1);
      int len;

      len = fprintf (f, "{\"question_id\": \"q%08u\", \"model_a\": \"%s\", \"model_b\": \"%s\", "
                     "\"winner\": \"%s\", \"tstamp\": %.3f}\n",
                     k, names[a], names[b], winners[w], 1.7e9 + k * 0.25);
      size += len;
    }
  g_assert_cmpint (fclose (f), ==, 0);
  g_free (buf);
  g_rand_free (rand);
  return size;
}

static char *
find_human_json (void)
{
  const char *shared = g_getenv ("KA_SHARED_DATA");
  g_autofree char *local = g_test_build_filename (G_TEST_DIST, "data", "chatbot_arena", "human.json", NULL);

  if (g_file_test (local, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&local);
  if (shared != NULL)
    {
      char *path = g_build_filename (shared, "chatbot_arena", "human.json", NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return path;
      g_free (path);
    }
  return NULL;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *big = NULL;
  g_autofree char *small = NULL;
  g_autofree char *human = NULL;
  gboolean skip_old = g_strcmp0 (g_getenv ("KA_BENCH_SKIP_OLD"), "1") == 0;
  gsize size;
  double t0;
  Run r10, r1, old10, h0, h1, h2, hold;

  g_test_init (&argc, &argv, NULL);
  human = find_human_json ();
  if (g_getenv ("KA_ADMIN") == NULL)
    {
      printf ("1..0 # SKIP KA_ADMIN is not set\n");
      return 0;
    }
  dir = g_dir_make_tmp ("bench-tally-XXXXXX", NULL);
  g_assert_nonnull (dir);
  big = g_build_filename (dir, "battles-10m.jsonl", NULL);
  small = g_build_filename (dir, "battles-1m.jsonl", NULL);

  printf ("# bench-tally: `kai-arena-admin tally --input`, 1,000 bootstrap rounds "
          "(%u processors, shared)\n", g_get_num_processors ());
  t0 = now_s ();
  size = write_ballots (big, BIG);
  printf ("# generated %u ballots over %u models: %.0f MiB of JSON Lines in %.1f s (%s)\n",
          BIG, N_MODELS, size / 1048576.0, now_s () - t0, big);
  write_ballots (small, BIG / 10);

  printf ("\n## 10 M ballots\n");
  r10 = best_of (run_admin, big, 0, 3);
  print_run ("tally --input, 10 M (streaming)", &r10);
  r1 = best_of (run_admin, small, 0, 3);
  print_run ("tally --input, 1 M (streaming)", &r1);
  printf ("%-58s %7.1f s wall                 %7.1f MiB\n",
          "quoted baseline, 10 M (issue 11)", QUOTED_10M_S, QUOTED_10M_MIB);
  printf ("→ %.1f× faster and %.0f× less memory than the quoted baseline; goal < 10 s: %s; "
          "memory 10 M / 1 M: %.2f (independent of the file size)\n",
          QUOTED_10M_S / r10.wall, QUOTED_10M_MIB / r10.rss_mib,
          r10.wall < 10.0 ? "met" : "NOT met", r10.rss_mib / r1.rss_mib);
  printf ("  (%.0f ns of CPU time per ballot of %.0f bytes, bootstrap included)\n",
          r10.cpu / BIG * 1e9, (double) size / BIG);
  if (!skip_old)
    {
      old10 = run_old_path (big, 0);
      print_run ("old whole-file path, 10 M (json-glib tree per line)", &old10);
      printf ("→ streaming vs old path in this run: %.1f× faster, %.0f× less memory\n",
              old10.wall / r10.wall, old10.rss_mib / r10.rss_mib);
    }
  g_unlink (big);
  g_unlink (small);
  g_rmdir (dir);

  printf ("\n## human.json (26,919 real Chatbot Arena votes)\n");
  if (human == NULL)
    printf ("# SKIP: chatbot_arena/human.json not found\n");
  else
    {
      h1 = best_of (run_admin, human, 1, 5);
      print_run ("tally --input, 1 thread", &h1);
      h2 = best_of (run_admin, human, 2, 5);
      print_run ("tally --input, 2 threads", &h2);
      h0 = best_of (run_admin_no_bootstrap, human, 1, 5);
      print_run ("tally --input --bootstrap 0 (read + fit)", &h0);
      printf ("→ one bootstrap round (resample + warm-started fit), 1 thread: %.0f µs of CPU time\n",
              (h1.cpu - h0.cpu) / 1000 * 1e6);
      hold = best_of (run_old_path, human, 2, 3);
      print_run ("old whole-file path, 2 threads", &hold);
      printf ("%-58s %7.3f s wall\n", "quoted baseline (issue 11)", QUOTED_HUMAN_S);
      printf ("%-58s %7.1f–%.1f s (0.19 s × 18–20, not runnable here)\n",
              "FastChat's pipeline, derived from the quote", QUOTED_FASTCHAT_LOW_S,
              QUOTED_FASTCHAT_HIGH_S);
      printf ("→ vs the quoted 0.19 s: %.1f× (1 thread), %.1f× (2 threads); "
              "vs FastChat's: %.0f–%.0f× (1 thread), %.0f–%.0f× (2 threads); goal ≥ 40×\n",
              QUOTED_HUMAN_S / h1.wall, QUOTED_HUMAN_S / h2.wall,
              QUOTED_FASTCHAT_LOW_S / h1.wall, QUOTED_FASTCHAT_HIGH_S / h1.wall,
              QUOTED_FASTCHAT_LOW_S / h2.wall, QUOTED_FASTCHAT_HIGH_S / h2.wall);
      printf ("→ vs the old path in this run: %.1f× (2 threads); CPU time %.3f s → %.3f s\n",
              hold.wall / h2.wall, hold.cpu, h2.cpu);
    }
  return 0;
}
