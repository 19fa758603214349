/* ka-export-writer.c: ballots.csv, ballots.jsonl, battles-fastchat.json, tally.csv and manifest.json
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-export"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <string.h>

#include "ka-export.h"
#include "ka-export-private.h"

const char * const _ka_export_csv_columns[] = {
  "ballot_id", "device_id", "session_id", "seq", "pack_id", "prompt_id", "category",
  "response_a", "response_b", "model_a", "model_b", "winner", "shown_at", "voted_at",
  "decision_ms", "mode", "ui_language", "identity_flag", "prev_hash", "hash",
};

/* Writing ----------------------------------------------------------------------------- */

static void
csv_append (GString    *out,
            const char *s)
{
  if (s == NULL)
    return;
  if (strpbrk (s, ",\"\r\n") == NULL)
    {
      g_string_append (out, s);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *c = s; *c != '\0'; c++)
    {
      if (*c == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *c);
    }
  g_string_append_c (out, '"');
}

/* The ballots.csv fields of one ballot (N_COLUMNS strings; NULL for an empty field). */
void
_ka_export_ballot_fields (const KaBallot *b,
                          const char     *category,
                          const char     *model_a,
                          const char     *model_b,
                          char          **fields)
{
  fields[0] = g_strdup (b->ballot_id);
  fields[1] = g_strdup (b->device_id);
  fields[2] = g_strdup (b->session_id);
  fields[3] = g_strdup_printf ("%" G_GINT64_FORMAT, b->seq);
  fields[4] = g_strdup (b->pack_id);
  fields[5] = g_strdup (b->prompt_id);
  fields[6] = g_strdup (category);
  fields[7] = g_strdup (b->response_a);
  fields[8] = g_strdup (b->response_b);
  fields[9] = g_strdup (model_a);
  fields[10] = g_strdup (model_b);
  fields[11] = g_strdup (ka_winner_to_string (b->winner));
  fields[12] = g_strdup (b->shown_at);
  fields[13] = g_strdup (b->voted_at);
  fields[14] = g_strdup_printf ("%" G_GINT64_FORMAT, b->decision_ms);
  fields[15] = g_strdup (ka_mode_to_string (b->mode));
  fields[16] = g_strdup (b->ui_language);
  fields[17] = g_strdup (b->identity_flag ? "true" : "false");
  fields[18] = g_strdup (b->prev_hash);
  fields[19] = g_strdup (b->hash);
}

int
_ka_export_compare_ballots (gconstpointer a,
                            gconstpointer b)
{
  const KaBallot *x = *(const KaBallot * const *) a;
  const KaBallot *y = *(const KaBallot * const *) b;
  int c = g_strcmp0 (x->device_id, y->device_id);

  if (c != 0)
    return c;
  return x->seq < y->seq ? -1 : (x->seq > y->seq ? 1 : 0);
}

static const char *
language_name (const char *code)
{
  if (code == NULL)
    return "unknown";
  if (g_str_equal (code, "ko"))
    return "Korean";
  if (g_str_equal (code, "en"))
    return "English";
  return code;
}

static gboolean
write_file (const char  *dir,
            const char  *name,
            const char  *contents,
            gsize        len,
            JsonBuilder *files,
            GError     **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *sha = NULL;

  if (!g_file_set_contents_full (path, contents, len, G_FILE_SET_CONTENTS_CONSISTENT,
                                 0644, error))
    return FALSE;
  if (files != NULL)
    {
      sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
      json_builder_begin_object (files);
      json_builder_set_member_name (files, "name");
      json_builder_add_string_value (files, name);
      json_builder_set_member_name (files, "sha256");
      json_builder_add_string_value (files, sha);
      json_builder_set_member_name (files, "bytes");
      json_builder_add_int_value (files, (gint64) len);
      json_builder_end_object (files);
    }
  return TRUE;
}

static char *
node_to_compact (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

double
_ka_export_tstamp_of (const KaBallot *b)
{
  gint64 us = ka_export_parse_time (b->voted_at);

  return us == G_MININT64 ? 0.0 : (double) us / G_USEC_PER_SEC;
}

/* One FastChat battle for a revealed ballot. */
static JsonNode *
fastchat_battle (const KaBallot *b,
                 KaPack         *pack,
                 const char     *model_a,
                 const char     *model_b,
                 const char     *category,
                 guint           n_turns)
{
  g_autoptr(JsonBuilder) j = json_builder_new ();
  g_autofree char *judge = g_strdup_printf ("arena_user_%s", b->device_id);

  json_builder_begin_object (j);
  json_builder_set_member_name (j, "question_id");
  json_builder_add_string_value (j, b->prompt_id);
  json_builder_set_member_name (j, "model_a");
  json_builder_add_string_value (j, model_a);
  json_builder_set_member_name (j, "model_b");
  json_builder_add_string_value (j, model_b);
  json_builder_set_member_name (j, "winner");
  json_builder_add_string_value (j, ka_export_winner_to_fastchat (b->winner));
  json_builder_set_member_name (j, "judge");
  json_builder_add_string_value (j, judge);
  json_builder_set_member_name (j, "turn");
  json_builder_add_int_value (j, n_turns);
  json_builder_set_member_name (j, "anony");
  json_builder_add_boolean_value (j, TRUE);
  json_builder_set_member_name (j, "language");
  json_builder_add_string_value (j, language_name (ka_pack_get_language (pack)));
  json_builder_set_member_name (j, "tstamp");
  json_builder_add_double_value (j, _ka_export_tstamp_of (b));
  /* Our extensions: enough to join back to ballots.jsonl and to filter. */
  json_builder_set_member_name (j, "ballot_id");
  json_builder_add_string_value (j, b->ballot_id);
  json_builder_set_member_name (j, "pack_id");
  json_builder_add_string_value (j, b->pack_id);
  json_builder_set_member_name (j, "category");
  if (category != NULL)
    json_builder_add_string_value (j, category);
  else
    json_builder_add_null_value (j);
  json_builder_set_member_name (j, "mode");
  json_builder_add_string_value (j, ka_mode_to_string (b->mode));
  json_builder_set_member_name (j, "decision_ms");
  json_builder_add_int_value (j, b->decision_ms);
  json_builder_end_object (j);
  return json_builder_get_root (j);
}

char *
_ka_export_tally_csv_text (GBytes                *fastchat,
                           const KaRatingOptions *options,
                           GError               **error)
{
  g_autoptr(KaVoteLog) log = ka_vote_log_new ();
  g_autoptr(KaRatingResult) result = NULL;
  g_autofree char *csv = NULL;
  GError *local = NULL;

  if (!ka_export_load_fastchat (log, fastchat, error))
    return NULL;
  if (ka_vote_log_get_n_votes (log) == 0)
    return g_strdup (UTF8_BOM "rank,model,rating,ci_lower,ci_upper,battles,win_rate\n");
  result = ka_rating_tally (log, NULL, options, NULL, &local);
  if (result == NULL)
    {
      if (g_error_matches (local, KA_RATING_ERROR, KA_RATING_ERROR_NO_DATA))
        {
          g_error_free (local);
          return g_strdup (UTF8_BOM "rank,model,rating,ci_lower,ci_upper,battles,win_rate\n");
        }
      g_propagate_error (error, local);
      return NULL;
    }
  csv = ka_rating_result_to_csv (result);
  return g_strconcat (UTF8_BOM, csv, NULL);
}

/**
 * ka_export_write:
 * @dir: the export directory; created if needed, and it must hold no file yet
 * @ballots: (element-type KaBallot): the ballots (any order)
 * @packs: (element-type KaPack) (nullable): open packs revealing the models
 * @tally_options: (nullable): bootstrap rounds and seed of `tally.csv`; %NULL for the
 *   defaults (1,000 rounds, seed 0)
 * @error: return location for an error
 *
 * Writes, with the ballots sorted by device then `seq` (each device's chain in order):
 *
 * - `ballots.csv`: UTF-8 with a byte-order mark (so that Excel opens Korean text), one
 *   row per ballot with the revealed `category`, `model_a`, `model_b`;
 * - `ballots.jsonl`: one ballot per line, as ka_ballot_to_json();
 * - `battles-fastchat.json`: a JSON array in FastChat's clean-battle schema
 *   (`question_id` = prompt ID, `model_a`, `model_b`, `winner` with `tie (bothbad)`,
 *   `judge`, `turn`, `anony` = true, `language`, `tstamp` in Unix seconds) plus
 *   `ballot_id`, `pack_id`, `category`, `mode`, `decision_ms`; identity-flagged and
 *   unrevealable ballots are left out (and listed in the manifest);
 * - `tally.csv`: the leaderboard of those battles (UTF-8 with a byte-order mark);
 * - `manifest.json`: format, tool and version, `created_at`, ballot and battle counts,
 *   the packs (ID and content hash), the tally options, every file's SHA-256 and size,
 *   every device's ballot count and chain head (and the chain error, if its chain
 *   does not verify), and the excluded ballots.
 *
 * Returns: %TRUE on success
 */
gboolean
ka_export_write (const char            *dir,
                 GPtrArray             *ballots,
                 GPtrArray             *packs,
                 const KaRatingOptions *tally_options,
                 GError               **error)
{
  g_autoptr(GPtrArray) sorted = NULL;
  g_autoptr(GString) csv = g_string_new (UTF8_BOM);
  g_autoptr(GString) jsonl = g_string_new (NULL);
  g_autoptr(GString) fastchat = g_string_new ("[");
  g_autoptr(JsonBuilder) manifest = json_builder_new ();
  g_autoptr(JsonBuilder) files = json_builder_new ();
  g_autoptr(JsonBuilder) excluded = json_builder_new ();
  g_autoptr(GBytes) fastchat_bytes = NULL;
  g_autoptr(GDir) d = NULL;
  g_autoptr(JsonNode) manifest_node = NULL;
  g_autofree char *tally = NULL;
  g_autofree char *manifest_text = NULL;
  g_autofree char *now = NULL;
  KaRatingOptions options;
  guint n_battles = 0;

  g_return_val_if_fail (dir != NULL, FALSE);
  g_return_val_if_fail (ballots != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (tally_options != NULL)
    options = *tally_options;
  else
    ka_rating_options_init (&options);
  options.anchor_model = NULL;   /* the tally is re-derived by audit from the manifest */
  options.method = KA_RATING_METHOD_NEWTON;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot create the export directory “%s”: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  d = g_dir_open (dir, 0, error);
  if (d == NULL)
    return FALSE;
  if (g_dir_read_name (d) != NULL)
    {
      g_set_error (error, KA_EXPORT_ERROR, KA_EXPORT_ERROR_INVALID,
                   _("The export directory “%s” is not empty"), dir);
      return FALSE;
    }

  sorted = g_ptr_array_new ();
  for (guint i = 0; i < ballots->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (ballots, i));
  g_ptr_array_sort (sorted, _ka_export_compare_ballots);

  for (guint c = 0; c < N_COLUMNS; c++)
    {
      if (c > 0)
        g_string_append_c (csv, ',');
      g_string_append (csv, _ka_export_csv_columns[c]);
    }
  g_string_append_c (csv, '\n');

  json_builder_begin_array (files);
  json_builder_begin_array (excluded);

  for (guint i = 0; i < sorted->len; i++)
    {
      const KaBallot *b = g_ptr_array_index (sorted, i);
      const char *ma, *mb, *category;
      char *fields[N_COLUMNS];
      g_autoptr(JsonNode) node = ka_ballot_to_json (b);
      g_autofree char *line = node_to_compact (node);
      guint n_turns;
      RevealStatus status = _ka_export_reveal (packs, b, &ma, &mb, &category, &n_turns);
      const char *reason = NULL;

      g_string_append (jsonl, line);
      g_string_append_c (jsonl, '\n');

      _ka_export_ballot_fields (b, category, ma, mb, fields);
      for (guint c = 0; c < N_COLUMNS; c++)
        {
          if (c > 0)
            g_string_append_c (csv, ',');
          csv_append (csv, fields[c]);
          g_free (fields[c]);
        }
      g_string_append_c (csv, '\n');

      if (b->identity_flag)
        reason = "identity_flag";
      else if (status == REVEAL_UNKNOWN)
        reason = "unknown_response";
      else if (status == REVEAL_SEALED)
        reason = "sealed_pack";

      if (reason != NULL)
        {
          json_builder_begin_object (excluded);
          json_builder_set_member_name (excluded, "ballot_id");
          json_builder_add_string_value (excluded, b->ballot_id);
          json_builder_set_member_name (excluded, "reason");
          json_builder_add_string_value (excluded, reason);
          json_builder_end_object (excluded);
        }
      else
        {
          g_autoptr(JsonNode) battle = fastchat_battle (b, _ka_export_find_pack (packs, b->pack_id),
                                                        ma, mb, category, n_turns);
          g_autofree char *text = node_to_compact (battle);

          g_string_append (fastchat, n_battles > 0 ? ",\n" : "\n");
          g_string_append (fastchat, text);
          n_battles++;
        }
    }
  g_string_append (fastchat, "\n]\n");

  if (!write_file (dir, KA_EXPORT_BALLOTS_CSV, csv->str, csv->len, files, error) ||
      !write_file (dir, KA_EXPORT_BALLOTS_JSONL, jsonl->str, jsonl->len, files, error) ||
      !write_file (dir, KA_EXPORT_FASTCHAT, fastchat->str, fastchat->len, files, error))
    return FALSE;

  fastchat_bytes = g_bytes_new_static (fastchat->str, fastchat->len);
  tally = _ka_export_tally_csv_text (fastchat_bytes, &options, error);
  if (tally == NULL)
    return FALSE;
  if (!write_file (dir, KA_EXPORT_TALLY_CSV, tally, strlen (tally), files, error))
    return FALSE;

  json_builder_end_array (files);
  json_builder_end_array (excluded);

  now = ka_timestamp_now ();
  json_builder_begin_object (manifest);
  json_builder_set_member_name (manifest, "format");
  json_builder_add_string_value (manifest, KA_EXPORT_FORMAT);
  json_builder_set_member_name (manifest, "tool");
  json_builder_add_string_value (manifest, "kai-arena-admin");
  json_builder_set_member_name (manifest, "tool_version");
  json_builder_add_string_value (manifest, PACKAGE_VERSION);
  json_builder_set_member_name (manifest, "created_at");
  json_builder_add_string_value (manifest, now);
  json_builder_set_member_name (manifest, "ballot_count");
  json_builder_add_int_value (manifest, sorted->len);
  json_builder_set_member_name (manifest, "battle_count");
  json_builder_add_int_value (manifest, n_battles);

  json_builder_set_member_name (manifest, "packs");
  json_builder_begin_array (manifest);
  for (guint i = 0; packs != NULL && i < packs->len; i++)
    {
      KaPack *pack = g_ptr_array_index (packs, i);

      json_builder_begin_object (manifest);
      json_builder_set_member_name (manifest, "pack_id");
      json_builder_add_string_value (manifest, ka_pack_get_id (pack));
      json_builder_set_member_name (manifest, "content_hash");
      json_builder_add_string_value (manifest, ka_pack_get_content_hash (pack));
      json_builder_end_object (manifest);
    }
  json_builder_end_array (manifest);

  json_builder_set_member_name (manifest, "tally");
  json_builder_begin_object (manifest);
  json_builder_set_member_name (manifest, "method");
  json_builder_add_string_value (manifest, "bradley-terry");
  json_builder_set_member_name (manifest, "bootstrap_rounds");
  json_builder_add_int_value (manifest, options.bootstrap_rounds);
  json_builder_set_member_name (manifest, "seed");
  json_builder_add_int_value (manifest, (gint64) options.seed);
  json_builder_end_object (manifest);

  json_builder_set_member_name (manifest, "files");
  json_builder_add_value (manifest, json_builder_get_root (files));

  json_builder_set_member_name (manifest, "devices");
  json_builder_begin_array (manifest);
  for (guint i = 0; i < sorted->len;)
    {
      const KaBallot *first = g_ptr_array_index (sorted, i);
      g_autoptr(GPtrArray) chain = g_ptr_array_new ();
      g_autofree char *head = NULL;
      GError *chain_error = NULL;
      guint j = i;

      while (j < sorted->len &&
             g_strcmp0 (((const KaBallot *) g_ptr_array_index (sorted, j))->device_id,
                        first->device_id) == 0)
        g_ptr_array_add (chain, g_ptr_array_index (sorted, j++));

      json_builder_begin_object (manifest);
      json_builder_set_member_name (manifest, "device_id");
      json_builder_add_string_value (manifest, first->device_id);
      json_builder_set_member_name (manifest, "count");
      json_builder_add_int_value (manifest, chain->len);
      json_builder_set_member_name (manifest, "chain_head");
      json_builder_add_string_value (manifest,
                                     ((const KaBallot *) g_ptr_array_index (chain, chain->len - 1))->hash);
      if (!ka_ballot_chain_verify (chain, &head, &chain_error))
        {
          json_builder_set_member_name (manifest, "chain_error");
          json_builder_add_string_value (manifest, chain_error->message);
          g_error_free (chain_error);
        }
      json_builder_end_object (manifest);
      i = j;
    }
  json_builder_end_array (manifest);

  json_builder_set_member_name (manifest, "excluded");
  json_builder_add_value (manifest, json_builder_get_root (excluded));
  json_builder_end_object (manifest);

  manifest_node = json_builder_get_root (manifest);
  {
    g_autoptr(JsonGenerator) gen = json_generator_new ();

    json_generator_set_pretty (gen, TRUE);
    json_generator_set_indent (gen, 2);
    json_generator_set_root (gen, manifest_node);
    manifest_text = json_generator_to_data (gen, NULL);
  }
  {
    g_autofree char *with_nl = g_strconcat (manifest_text, "\n", NULL);

    return write_file (dir, KA_EXPORT_MANIFEST, with_nl, strlen (with_nl), NULL, error);
  }
}
