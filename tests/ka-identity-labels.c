/* ka-identity-labels.c: the hand-labelled identity-guard set (tests/data/identity-labels)
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "ka-identity-labels.h"
#include "ka-pack-builder.h"

static void
label_free (gpointer data)
{
  KaLabel *l = data;

  g_free (l->source);
  g_free (l->model_id);
  g_free (l->text);
  g_free (l);
}

static void
prompt_free (gpointer data)
{
  KaPackPrompt *p = data;

  g_free (p->prompt_id);
  g_strfreev (p->turns);
  g_free (p);
}

static char *
labels_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "identity-labels", name, NULL);
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

static char *
sha256 (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

/* The sentences of a turn, cut as tests/data/identity-labels/NOTICE says. */
static GPtrArray *
sentences (const char *turn,
           gboolean    cut_long)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) lines = g_strsplit (turn, "\n", -1);

  for (guint l = 0; lines[l] != NULL; l++)
    {
      const char *p = lines[l], *q;

      if (!cut_long || strlen (p) < 400)
        {
          g_ptr_array_add (out, g_strdup (p));
          continue;
        }
      while ((q = strstr (p, ". ")) != NULL)
        {
          g_ptr_array_add (out, g_strndup (p, q + 1 - p));
          p = q + 2;
        }
      g_ptr_array_add (out, g_strdup (p));
    }
  return out;
}

/* key "prompt NUL model NUL turn NUL sha256" → sentence, for a pack. */
static GHashTable *
index_pack (KaPack *pack)
{
  GHashTable *index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < ka_pack_get_n_responses (pack); i++)
    {
      const KaPackResponse *r = ka_pack_get_response (pack, i);

      for (guint t = 0; t < r->n_turns; t++)
        {
          g_autoptr(GPtrArray) parts = sentences (r->turns[t], TRUE);

          for (guint k = 0; k < parts->len; k++)
            {
              const char *s = g_ptr_array_index (parts, k);
              g_autofree char *hash = sha256 (s);

              g_hash_table_replace (index,
                                    g_strdup_printf ("%s|%s|%u|%s", r->prompt_id, r->model_id,
                                                     t, hash),
                                    g_strdup (s));
            }
        }
    }
  return index;
}

static void
read_file (KaLabelSet  *set,
           const char  *name,
           KaPack      *pack,
           GHashTable  *index,
           const char  *alpaca_dir)
{
  g_autofree char *path = labels_path (name);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) alpaca = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) g_object_unref);

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *o;
      KaLabel *label;
      const char *label_text, *prompt_id, *hash;

      if (lines[i][0] == '\0')
        continue;
      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      o = json_node_get_object (json_parser_get_root (parser));
      label = g_new0 (KaLabel, 1);
      label->source = g_strdup (json_object_get_string_member (o, "source"));
      label->model_id = g_strdup (json_object_get_string_member (o, "model_id"));
      label_text = json_object_get_string_member (o, "label");
      label->positive = !g_str_equal (label_text, "topical");
      prompt_id = json_object_get_string_member (o, "prompt_id");
      hash = json_object_get_string_member (o, "sha256");

      if (alpaca_dir != NULL)
        {
          /* AlpacaEval: the instruction is the prompt; the sentence is a line. */
          JsonParser *outputs = g_hash_table_lookup (alpaca, label->model_id);
          JsonArray *array;
          JsonObject *entry;
          KaPackPrompt *prompt;
          g_auto(GStrv) out_lines = NULL;
          guint line = (guint) json_object_get_int_member (o, "line");

          if (outputs == NULL)
            {
              g_autofree char *file = g_build_filename (alpaca_dir, label->model_id,
                                                        "model_outputs.json", NULL);

              outputs = json_parser_new ();
              json_parser_load_from_file (outputs, file, &error);
              g_assert_no_error (error);
              g_hash_table_insert (alpaca, g_strdup (label->model_id), outputs);
            }
          array = json_node_get_array (json_parser_get_root (outputs));
          entry = json_array_get_object_element (array, (guint) g_ascii_strtoull (prompt_id, NULL, 10));
          out_lines = g_strsplit (json_object_get_string_member (entry, "output"), "\n", -1);
          g_assert_cmpuint (line, <, g_strv_length (out_lines));
          label->text = g_strdup (out_lines[line]);
          prompt = g_new0 (KaPackPrompt, 1);
          prompt->prompt_id = g_strdup (prompt_id);
          prompt->turns = g_new0 (char *, 2);
          prompt->turns[0] = g_strdup (json_object_get_string_member (entry, "instruction"));
          prompt->n_turns = 1;
          g_ptr_array_add (set->prompts, prompt);
          label->prompt = prompt;
        }
      else
        {
          label->prompt = ka_pack_lookup_prompt (pack, prompt_id);
          if (json_object_has_member (o, "text"))
            label->text = g_strdup (json_object_get_string_member (o, "text"));
          else
            {
              g_autofree char *key = g_strdup_printf ("%s|%s|%u|%s", prompt_id, label->model_id,
                                                      (guint) json_object_get_int_member (o, "turn"),
                                                      hash);

              label->text = g_strdup (g_hash_table_lookup (index, key));
            }
        }
      {
        g_autofree char *check = label->text != NULL ? sha256 (label->text) : NULL;

        if (g_strcmp0 (check, hash) != 0)
          g_error ("%s line %u: the sentence does not match its sha256 (data changed?)", name,
                   i + 1);
      }
      g_ptr_array_add (set->labels, label);
    }
}

/**
 * ka_label_set_load:
 *
 * Reads every labelled file whose data is present: ko_arena_hard and mt_bench always (their
 * answers are in tests/data), LogicKor and AlpacaEval from KA_SHARED_DATA when present.
 */
KaLabelSet *
ka_label_set_load (void)
{
  KaLabelSet *set = g_new0 (KaLabelSet, 1);
  const char *shared = g_getenv ("KA_SHARED_DATA");
  g_autofree char *ko_dir = g_test_build_filename (G_TEST_DIST, "data", "ko_arena_hard", NULL);
  g_autofree char *mt_dir = g_test_build_filename (G_TEST_DIST, "data", "mt_bench", NULL);
  g_autofree char *lk_dir = shared != NULL ? g_build_filename (shared, "logickor", NULL) : NULL;
  g_autofree char *ae_dir = shared != NULL ? g_build_filename (shared, "alpaca_eval", "results",
                                                               NULL) : NULL;
  KaPack *pack;

  set->labels = g_ptr_array_new_with_free_func (label_free);
  set->packs = g_ptr_array_new_with_free_func (g_object_unref);
  set->prompts = g_ptr_array_new_with_free_func (prompt_free);
  set->skipped = g_string_new (NULL);

  pack = build (KA_PACK_SOURCE_KO_ARENA_HARD, ko_dir);
  g_ptr_array_add (set->packs, pack);
  read_file (set, "ko_arena_hard.jsonl", pack, NULL, NULL);
  pack = build (KA_PACK_SOURCE_MT_BENCH, mt_dir);
  g_ptr_array_add (set->packs, pack);
  read_file (set, "mt_bench.jsonl", pack, NULL, NULL);

  if (lk_dir != NULL && g_file_test (lk_dir, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GHashTable) index = NULL;

      pack = build (KA_PACK_SOURCE_LOGICKOR, lk_dir);
      g_ptr_array_add (set->packs, pack);
      index = index_pack (pack);
      read_file (set, "logickor-ids.jsonl", pack, index, NULL);
    }
  else
    g_string_append (set->skipped, " logickor (not in KA_SHARED_DATA)");

  if (ae_dir != NULL && g_file_test (ae_dir, G_FILE_TEST_IS_DIR))
    read_file (set, "alpaca_eval-ids.jsonl", NULL, NULL, ae_dir);
  else
    g_string_append (set->skipped, " alpaca_eval (not in KA_SHARED_DATA)");

  return set;
}

void
ka_label_set_free (KaLabelSet *set)
{
  g_ptr_array_unref (set->labels);
  g_ptr_array_unref (set->prompts);
  g_ptr_array_unref (set->packs);
  g_string_free (set->skipped, TRUE);
  g_free (set);
}

/* Counts @func's verdicts on the labels of @source (NULL: all) against the labels; the
 * positives it misses go to @misses (may be NULL) as KaLabel*. */
void
ka_label_set_score (KaLabelSet       *set,
                    const char       *source,
                    KaLabelGuardFunc  func,
                    gpointer          user_data,
                    KaLabelScore     *score,
                    GPtrArray        *misses)
{
  memset (score, 0, sizeof *score);
  for (guint i = 0; i < set->labels->len; i++)
    {
      const KaLabel *l = g_ptr_array_index (set->labels, i);
      gboolean flagged;

      if (source != NULL && !g_str_equal (l->source, source))
        continue;
      flagged = func (l, user_data);
      if (flagged && l->positive)
        score->tp++;
      else if (flagged)
        score->fp++;
      else if (l->positive)
        {
          score->fn++;
          if (misses != NULL)
            g_ptr_array_add (misses, (gpointer) l);
        }
      else
        score->tn++;
    }
}
