/* bench-identity.c: the identity guard's precision and recall and what it hides, old and new
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints, for the guard before issue 10 (tests/ka-identity-v1.c, the same code as it was,
 * run in this process) and the guard now:
 * - precision and recall on the hand-labelled sentences of tests/data/identity-labels, per
 *   source and overall (a sentence is flagged when the guard flags it as the text of its
 *   model's answer to its prompt);
 * - the answers hidden, in all and per prompt category, on the shipped pack
 *   data/packs/sample-ko.json and on every real source present (ko-arena-hard and MT-bench
 *   from tests/data; LogicKor from KA_SHARED_DATA);
 * - the time each guard takes over each pack.
 * No timing is asserted.
 */

#define G_LOG_DOMAIN "bench-identity"

#include "config.h"

#include <locale.h>
#include <stdio.h>

#include "ka-identity.h"
#include "ka-identity-labels.h"
#include "ka-identity-v1.h"
#include "ka-pack-builder.h"

static gboolean
new_guard_func (const KaLabel *label,
                gpointer       user_data)
{
  return ka_identity_guard_scan_for_model (user_data, label->text, label->model_id,
                                           label->prompt, NULL);
}

static gboolean
old_guard_func (const KaLabel *label,
                gpointer       user_data)
{
  /* The old guard has no per-sentence prompt rule: scan, as `pack verify` did per turn
   * apart from prompt echoes. */
  return ka_identity_v1_guard_scan (user_data, label->text, NULL);
}

static void
print_score (const char         *guard,
             const char         *source,
             const KaLabelScore *s)
{
  double precision = s->tp + s->fp > 0 ? 100.0 * s->tp / (s->tp + s->fp) : 100.0;
  double recall = s->tp + s->fn > 0 ? 100.0 * s->tp / (s->tp + s->fn) : 100.0;

  printf ("  %-4s %-14s sentences %4u  self %3u  flagged %4u  TP %3u FP %4u FN %3u  "
          "precision %6.2f %%  recall %6.2f %%\n",
          guard, source, s->tp + s->fp + s->fn + s->tn, s->tp + s->fn, s->tp + s->fp,
          s->tp, s->fp, s->fn, precision, recall);
}

typedef struct
{
  guint shown;
  guint hidden;
} Count;

static void
hidden_per_category (const char *label,
                     KaPack     *pack)
{
  g_autoptr(KaIdentityGuard) now = ka_identity_guard_new_for_pack (pack);
  g_autoptr(KaIdentityV1Guard) before = ka_identity_v1_guard_new_for_pack (pack);
  g_autoptr(GHashTable) cats_old = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GHashTable) cats_new = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GList) keys = NULL;
  guint n = ka_pack_get_n_responses (pack), old_total = 0, new_total = 0;
  gint64 t0, t_old = 0, t_new = 0;

  for (int pass = 0; pass < 2; pass++)
    {
      GHashTable *cats = pass == 0 ? cats_old : cats_new;

      t0 = g_get_monotonic_time ();
      for (guint i = 0; i < n; i++)
        {
          const KaPackResponse *r = ka_pack_get_response (pack, i);
          const KaPackPrompt *p = ka_pack_lookup_prompt (pack, r->prompt_id);
          const char *cat = p->category != NULL ? p->category : "(none)";
          Count *c = g_hash_table_lookup (cats, cat);
          gboolean hidden;

          if (c == NULL)
            g_hash_table_insert (cats, (gpointer) cat, (c = g_new0 (Count, 1)));
          hidden = pass == 0 ? ka_identity_v1_guard_check_response (before, r, NULL)
                             : ka_identity_guard_check_response (now, r, NULL);
          if (hidden)
            c->hidden++;
          else
            c->shown++;
          if (hidden && pass == 0)
            old_total++;
          else if (hidden)
            new_total++;
        }
      if (pass == 0)
        t_old = g_get_monotonic_time () - t0;
      else
        t_new = g_get_monotonic_time () - t0;
    }

  printf ("\n%s: %u answers; hidden before %u (%.2f %%), after %u (%.2f %%); "
          "guard time before %.0f ms, after %.0f ms (ratio %.2f)\n",
          label, n, old_total, 100.0 * old_total / n, new_total, 100.0 * new_total / n,
          t_old / 1000.0, t_new / 1000.0, t_old > 0 ? (double) t_new / t_old : 0.0);
  printf ("  %-40s %8s %8s %8s\n", "category", "answers", "before", "after");
  keys = g_list_sort (g_hash_table_get_keys (cats_old), (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      const Count *o = g_hash_table_lookup (cats_old, l->data);
      const Count *w = g_hash_table_lookup (cats_new, l->data);
      guint total = o->hidden + o->shown;

      if (o->hidden == 0 && w->hidden == 0)
        continue;
      printf ("  %-40s %8u %7.1f%% %7.1f%%\n", (const char *) l->data, total,
              100.0 * o->hidden / total, 100.0 * w->hidden / total);
    }
  printf ("  (categories where neither guard hides anything are not listed)\n");
}

static KaPack *
build (KaPackSource  source,
       const char   *dir)
{
  KaPackBuildOptions options = { 0 };
  g_autoptr(GError) error = NULL;
  KaPack *pack;

  options.source = source;
  options.source_dir = dir;
  pack = ka_pack_build (&options, NULL, &error);
  g_assert_no_error (error);
  return pack;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(KaLabelSet) set = NULL;
  g_autoptr(KaIdentityGuard) now = ka_identity_guard_new (NULL);
  g_autoptr(KaIdentityV1Guard) before = ka_identity_v1_guard_new (NULL);
  const char * const sources[] = { "ko_arena_hard", "mt_bench", "logickor", "alpaca_eval", NULL };
  const char *root = g_getenv ("KA_SOURCE_ROOT");
  const char *shared = g_getenv ("KA_SHARED_DATA");
  g_autofree char *sample = g_build_filename (root != NULL ? root : ".", "data", "packs",
                                              "sample-ko.json", NULL);
  g_autofree char *ko = NULL;
  g_autofree char *mt = NULL;
  g_autofree char *lk = shared != NULL ? g_build_filename (shared, "logickor", NULL) : NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KaPack) pack = NULL;
  KaLabelScore score;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  ko = g_test_build_filename (G_TEST_DIST, "data", "ko_arena_hard", NULL);
  mt = g_test_build_filename (G_TEST_DIST, "data", "mt_bench", NULL);

  set = ka_label_set_load ();
  printf ("Identity guard on %u hand-labelled sentences (tests/data/identity-labels)%s%s\n",
          set->labels->len, set->skipped->len > 0 ? "; not read:" : "", set->skipped->str);
  for (guint i = 0; sources[i] != NULL; i++)
    {
      ka_label_set_score (set, sources[i], old_guard_func, before, &score, NULL);
      if (score.tp + score.fp + score.fn + score.tn == 0)
        continue;
      print_score ("old", sources[i], &score);
      ka_label_set_score (set, sources[i], new_guard_func, now, &score, NULL);
      print_score ("new", sources[i], &score);
    }
  ka_label_set_score (set, NULL, old_guard_func, before, &score, NULL);
  print_score ("old", "all", &score);
  ka_label_set_score (set, NULL, new_guard_func, now, &score, NULL);
  print_score ("new", "all", &score);

  pack = ka_pack_new_from_file (sample, &error);
  if (pack != NULL)
    hidden_per_category ("Shipped pack data/packs/sample-ko.json", pack);
  else
    printf ("\nShipped pack not read: %s\n", error->message);
  g_clear_object (&pack);

  pack = build (KA_PACK_SOURCE_KO_ARENA_HARD, ko);
  hidden_per_category ("ko-arena-hard (tests/data, 6 models)", pack);
  g_clear_object (&pack);
  pack = build (KA_PACK_SOURCE_MT_BENCH, mt);
  hidden_per_category ("MT-bench (tests/data, 31 models)", pack);
  g_clear_object (&pack);
  if (lk != NULL && g_file_test (lk, G_FILE_TEST_IS_DIR))
    {
      pack = build (KA_PACK_SOURCE_LOGICKOR, lk);
      hidden_per_category ("LogicKor (KA_SHARED_DATA, 38 models)", pack);
    }
  else
    printf ("\nLogicKor not measured: not in KA_SHARED_DATA\n");

  return 0;
}
