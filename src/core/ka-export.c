/* ka-export.c: ballot and battle files in, audited exports out
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * FastChat's battle schema: lm-sys/FastChat fastchat/serve/monitor/clean_battle_data.py
 * (question_id, model_a, model_b, winner, judge, turn, anony, language, tstamp) and the
 * 2025 LMArena vocabulary (`both_bad`).
 */

#define G_LOG_DOMAIN "ka-export"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include <libsoup/soup.h>

#include "ka-export.h"
#include "ka-sync.h"

G_DEFINE_QUARK (ka-export-error-quark, ka_export_error)

#define UTF8_BOM "\xef\xbb\xbf"

static const char * const csv_columns[] = {
  "ballot_id", "device_id", "session_id", "seq", "pack_id", "prompt_id", "category",
  "response_a", "response_b", "model_a", "model_b", "winner", "shown_at", "voted_at",
  "decision_ms", "mode", "ui_language", "identity_flag", "prev_hash", "hash",
};

enum
{
  COL_CATEGORY = 6,
  COL_MODEL_A = 9,
  COL_MODEL_B = 10,
  N_COLUMNS = G_N_ELEMENTS (csv_columns),
};

/**
 * ka_export_winner_to_fastchat:
 * @winner: an outcome
 *
 * Returns: (transfer none): FastChat's `winner` value: `model_a`, `model_b`, `tie` or
 *   `tie (bothbad)` (the 2023 vocabulary that the published notebooks expect)
 */
const char *
ka_export_winner_to_fastchat (KaWinner winner)
{
  switch (winner)
    {
    case KA_WINNER_MODEL_A:
      return "model_a";
    case KA_WINNER_MODEL_B:
      return "model_b";
    case KA_WINNER_TIE:
      return "tie";
    case KA_WINNER_BOTH_BAD:
      return "tie (bothbad)";
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * ka_export_winner_from_fastchat:
 * @str: (nullable): a FastChat or LMArena `winner` value
 * @winner: (out) (optional): the outcome
 *
 * Accepts `model_a`, `model_b`, `tie`, `tie (bothbad)` (FastChat 2023) and `both_bad`
 * (LMArena 2025).
 *
 * Returns: whether @str is one of them
 */
gboolean
ka_export_winner_from_fastchat (const char *str,
                                KaWinner   *winner)
{
  KaWinner w;

  if (str == NULL)
    return FALSE;
  if (g_str_equal (str, "model_a"))
    w = KA_WINNER_MODEL_A;
  else if (g_str_equal (str, "model_b"))
    w = KA_WINNER_MODEL_B;
  else if (g_str_equal (str, "tie"))
    w = KA_WINNER_TIE;
  else if (g_str_equal (str, "tie (bothbad)") || g_str_equal (str, "both_bad"))
    w = KA_WINNER_BOTH_BAD;
  else
    return FALSE;
  if (winner != NULL)
    *winner = w;
  return TRUE;
}

/**
 * ka_export_parse_time:
 * @rfc3339: (nullable): an RFC 3339 time with an offset (`2026-11-29T12:00:00.123Z`)
 *
 * Returns: microseconds since the Unix epoch, or %G_MININT64 if @rfc3339 is %NULL or not a
 *   valid time
 */
gint64
ka_export_parse_time (const char *rfc3339)
{
  g_autoptr(GDateTime) dt = NULL;

  if (rfc3339 == NULL)
    return G_MININT64;
  dt = g_date_time_new_from_iso8601 (rfc3339, NULL);
  if (dt == NULL)
    return G_MININT64;
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
}

static const char *
skip_bom_and_space (const char *text,
                    const char *end)
{
  if (end - text >= 3 && memcmp (text, UTF8_BOM, 3) == 0)
    text += 3;
  while (text < end && g_ascii_isspace (*text))
    text++;
  return text;
}

/* Calls @func on each object of a JSON array document or of a JSON Lines document, with
 * a 1-based element (array) or line (JSON Lines) number. */
typedef gboolean (*ObjectFunc) (JsonObject  *object,
                                guint        number,
                                gpointer     data,
                                GError     **error);

static gboolean
foreach_object (GBytes      *bytes,
                const char  *what,
                ObjectFunc   func,
                gpointer     data,
                GError     **error)
{
  gsize len;
  const char *text = g_bytes_get_data (bytes, &len);
  const char *end = text + len;
  const char *start;
  g_autoptr(JsonParser) parser = json_parser_new ();
  GError *local = NULL;

  if (text == NULL)
    return TRUE;
  start = skip_bom_and_space (text, end);
  if (!g_utf8_validate (start, end - start, NULL))
    {
      g_set_error (error, KA_EXPORT_ERROR, KA_EXPORT_ERROR_PARSE,
                   _("The %s file is not valid UTF-8"), what);
      return FALSE;
    }

  if (start < end && *start == '[')
    {
      JsonArray *array;

      if (!json_parser_load_from_data (parser, start, end - start, &local))
        {
          g_set_error (error, KA_EXPORT_ERROR, KA_EXPORT_ERROR_PARSE,
                       _("The %s file is not valid JSON: %s"), what, local->message);
          g_error_free (local);
          return FALSE;
        }
      array = json_node_get_array (json_parser_get_root (parser));
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_OBJECT (node))
            {
              g_set_error (error, KA_EXPORT_ERROR, KA_EXPORT_ERROR_PARSE,
                           _("%s element %u is not a JSON object"), what, i + 1);
              return FALSE;
            }
          if (!func (json_node_get_object (node), i + 1, data, error))
            return FALSE;
        }
      return TRUE;
    }

  /* JSON Lines. */
  {
    const char *line = start;
    guint number = 1;

    /* Count the lines skipped at the start, so numbers match an editor's. */
    for (const char *c = text; c < start; c++)
      if (*c == '\n')
        number++;

    while (line < end)
      {
        const char *nl = memchr (line, '\n', end - line);
        const char *stop = nl != NULL ? nl : end;
        const char *s = line;

        while (s < stop && g_ascii_isspace (*s))
          s++;
        if (s < stop)
          {
            JsonNode *root;

            if (!json_parser_load_from_data (parser, s, stop - s, &local))
              {
                g_set_error (error, KA_EXPORT_ERROR, KA_EXPORT_ERROR_PARSE,
                             _("%s line %u is not valid JSON: %s"), what, number, local->message);
                g_error_free (local);
                return FALSE;
              }
            root = json_parser_get_root (parser);
            if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
              {
                g_set_error (error, KA_EXPORT_ERROR, KA_EXPORT_ERROR_PARSE,
                             _("%s line %u is not a JSON object"), what, number);
                return FALSE;
              }
            if (!func (json_node_get_object (root), number, data, error))
              return FALSE;
          }
        number++;
        line = stop + 1;
      }
  }
  return TRUE;
}

/**
 * ka_export_detect_input:
 * @bytes: the contents of an input file
 *
 * Tells FastChat battles from K-AI Arena ballots by the first object of a JSON array or
 * of JSON Lines (`ballot_id` and `response_a` mean ballots; `model_a` means battles).
 * A UTF-8 byte-order mark and leading white space are skipped.
 *
 * Returns: the kind, or %KA_INPUT_UNKNOWN
 */
KaInputKind
ka_export_detect_input (GBytes *bytes)
{
  gsize len;
  const char *text, *end, *start;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *first = NULL;

  g_return_val_if_fail (bytes != NULL, KA_INPUT_UNKNOWN);

  text = g_bytes_get_data (bytes, &len);
  if (text == NULL)
    return KA_INPUT_UNKNOWN;
  end = text + len;
  start = skip_bom_and_space (text, end);
  if (start >= end)
    return KA_INPUT_UNKNOWN;

  if (*start == '[')
    {
      JsonArray *array;

      if (!json_parser_load_from_data (parser, start, end - start, NULL))
        return KA_INPUT_UNKNOWN;
      root = json_parser_get_root (parser);
      array = json_node_get_array (root);
      if (json_array_get_length (array) == 0)
        return KA_INPUT_FASTCHAT;
      if (JSON_NODE_HOLDS_OBJECT (json_array_get_element (array, 0)))
        first = json_array_get_object_element (array, 0);
    }
  else
    {
      const char *nl = memchr (start, '\n', end - start);

      if (!json_parser_load_from_data (parser, start, (nl != NULL ? nl : end) - start, NULL))
        return KA_INPUT_UNKNOWN;
      root = json_parser_get_root (parser);
      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        first = json_node_get_object (root);
    }

  if (first == NULL)
    return KA_INPUT_UNKNOWN;
  if (json_object_has_member (first, "ballot_id") && json_object_has_member (first, "response_a"))
    return KA_INPUT_BALLOTS;
  if (json_object_has_member (first, "model_a") && json_object_has_member (first, "winner"))
    return KA_INPUT_FASTCHAT;
  return KA_INPUT_UNKNOWN;
}

static const char *
get_string_member (JsonObject *o,
                   const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
get_number_member (JsonObject *o,
                   const char *name,
                   double     *out)
{
  JsonNode *node = json_object_get_member (o, name);
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_DOUBLE)
    *out = json_node_get_double (node);
  else if (type == G_TYPE_INT64)
    *out = (double) json_node_get_int (node);
  else
    return FALSE;
  return TRUE;
}

static gboolean
add_fastchat_object (JsonObject  *o,
                     guint        number,
                     gpointer     data,
                     GError     **error)
{
  KaVoteLog *log = data;
  const char *a = get_string_member (o, "model_a");
  const char *b = get_string_member (o, "model_b");
  const char *w = get_string_member (o, "winner");
  KaWinner winner;
  double tstamp;
  gint64 time_us = G_MININT64;

  if (a == NULL || a[0] == '\0' || b == NULL || b[0] == '\0')
    {
      g_set_error (error, KA_EXPORT_ERROR, KA_EXPORT_ERROR_PARSE,
                   _("battle %u: “model_a” and “model_b” must be non-empty strings"), number);
      return FALSE;
    }
  if (!ka_export_winner_from_fastchat (w, &winner))
    {
      g_set_error (error, KA_EXPORT_ERROR, KA_EXPORT_ERROR_PARSE,
                   _("battle %u: “winner” must be model_a, model_b, tie, “tie (bothbad)” or "
                     "both_bad"), number);
      return FALSE;
    }
  if (get_number_member (o, "tstamp", &tstamp) && isfinite (tstamp))
    time_us = (gint64) llround (tstamp * G_USEC_PER_SEC);

  if (!ka_vote_log_add (log, a, b, winner, time_us, get_string_member (o, "category"),
                        get_string_member (o, "mode")))
    {
      g_set_error (error, KA_EXPORT_ERROR, KA_EXPORT_ERROR_PARSE,
                   _("battle %u: a model cannot battle itself (“%s”)"), number, a);
      return FALSE;
    }
  return TRUE;
}

/**
 * ka_export_load_fastchat:
 * @log: the log to add to
 * @bytes: a FastChat battle file: a JSON array (as `clean_battle_*.json`) or JSON Lines
 *   (as the Chatbot Arena `human.json`), optionally with a UTF-8 byte-order mark
 * @error: return location for an error
 *
 * Adds every battle: `model_a` (left), `model_b` (right), `winner` (see
 * ka_export_winner_from_fastchat()), and when present `tstamp` (Unix seconds), `category`
 * and `mode` (our extensions). Other members are ignored. Battles are added in file
 * order. On error the log may hold the battles before the bad one.
 *
 * Returns: %TRUE on success; %FALSE with %KA_EXPORT_ERROR_PARSE naming the line or
 *   element and the field
 */
gboolean
ka_export_load_fastchat (KaVoteLog  *log,
                         GBytes     *bytes,
                         GError    **error)
{
  g_return_val_if_fail (log != NULL, FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return foreach_object (bytes, _("battle"), add_fastchat_object, log, error);
}

static gboolean
add_ballot_object (JsonObject  *o,
                   guint        number,
                   gpointer     data,
                   GError     **error)
{
  GPtrArray *ballots = data;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  KaBallot *ballot;
  GError *local = NULL;

  json_node_set_object (node, o);
  ballot = ka_ballot_new_from_json (node, &local);
  if (ballot == NULL)
    {
      g_set_error (error, KA_EXPORT_ERROR, KA_EXPORT_ERROR_PARSE,
                   _("ballot %u: %s"), number, local->message);
      g_error_free (local);
      return FALSE;
    }
  g_ptr_array_add (ballots, ballot);
  return TRUE;
}

/**
 * ka_export_parse_ballots:
 * @bytes: ballots as JSON Lines (as `kai-arena-admin ballots --format jsonl` and
 *   `ballots.jsonl` of an export write them) or as a JSON array
 * @error: return location for an error
 *
 * Parses ballots with ka_ballot_new_from_json(), in file order. Hashes and chains are
 * not checked here (see ka_ballot_chain_verify() and ka_export_audit()).
 *
 * Returns: (transfer full) (element-type KaBallot): the ballots, or %NULL with
 *   %KA_EXPORT_ERROR_PARSE naming the line
 */
GPtrArray *
ka_export_parse_ballots (GBytes  *bytes,
                         GError **error)
{
  g_autoptr(GPtrArray) ballots = NULL;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ballots = g_ptr_array_new_with_free_func ((GDestroyNotify) ka_ballot_free);
  if (!foreach_object (bytes, _("ballots"), add_ballot_object, ballots, error))
    return NULL;
  return g_steal_pointer (&ballots);
}

/* Model names revealed by the packs ------------------------------------------------ */

static KaPack *
find_pack (GPtrArray  *packs,
           const char *pack_id)
{
  if (packs == NULL || pack_id == NULL)
    return NULL;
  for (guint i = 0; i < packs->len; i++)
    if (g_strcmp0 (ka_pack_get_id (g_ptr_array_index (packs, i)), pack_id) == 0)
      return g_ptr_array_index (packs, i);
  return NULL;
}

/* The name shown on the leaderboard: the display name, or the model ID when two models
 * of the pack share a display name. */
static const char *
model_name (KaPack     *pack,
            const char *model_id)
{
  const KaPackModel *model = ka_pack_lookup_model (pack, model_id);
  guint n;

  if (model == NULL)
    return model_id;
  n = ka_pack_get_n_models (pack);
  for (guint i = 0; i < n; i++)
    {
      const KaPackModel *other = ka_pack_get_model (pack, i);

      if (other != model && g_strcmp0 (other->display_name, model->display_name) == 0)
        return model->model_id;
    }
  return model->display_name;
}

typedef enum
{
  REVEAL_OK,
  REVEAL_UNKNOWN,
  REVEAL_SEALED,
} RevealStatus;

static RevealStatus
reveal (GPtrArray      *packs,
        const KaBallot *b,
        const char    **model_a,
        const char    **model_b,
        const char    **category,
        guint          *n_turns)
{
  KaPack *pack = find_pack (packs, b->pack_id);
  const KaPackResponse *ra, *rb;
  const KaPackPrompt *prompt;

  *model_a = *model_b = *category = NULL;
  if (n_turns != NULL)
    *n_turns = 1;
  if (pack == NULL)
    return REVEAL_UNKNOWN;
  ra = ka_pack_lookup_response (pack, b->response_a);
  rb = ka_pack_lookup_response (pack, b->response_b);
  prompt = ka_pack_lookup_prompt (pack, b->prompt_id);
  if (ra == NULL || rb == NULL || prompt == NULL)
    return REVEAL_UNKNOWN;
  *category = prompt->category;
  if (n_turns != NULL)
    *n_turns = prompt->n_turns;
  if (ka_pack_is_sealed (pack) || ra->model_id == NULL || rb->model_id == NULL)
    return REVEAL_SEALED;
  *model_a = model_name (pack, ra->model_id);
  *model_b = model_name (pack, rb->model_id);
  return REVEAL_OK;
}

/**
 * ka_export_add_ballots:
 * @log: the log to add to
 * @ballots: (element-type KaBallot): our ballots
 * @packs: (element-type KaPack): open packs that reveal which model wrote each response
 *   (ballots carry only response IDs)
 * @stats: (out caller-allocates) (optional): what happened to each ballot
 *
 * Adds each ballot whose pack is among @packs and is open: the models are the packs'
 * display names (or model IDs where two models share one), the category is the prompt's,
 * the time is `voted_at`. Ballots marked `identity_flag` are left out of the leaderboard
 * (DESIGN.md §7), as are ballots on unknown responses or on sealed packs; @stats counts
 * each.
 *
 * Returns: %TRUE if at least one ballot was added
 */
gboolean
ka_export_add_ballots (KaVoteLog     *log,
                       GPtrArray     *ballots,
                       GPtrArray     *packs,
                       KaExportStats *stats)
{
  KaExportStats s = { 0, };

  g_return_val_if_fail (log != NULL, FALSE);
  g_return_val_if_fail (ballots != NULL, FALSE);

  for (guint i = 0; i < ballots->len; i++)
    {
      const KaBallot *b = g_ptr_array_index (ballots, i);
      const char *ma, *mb, *category;

      if (b->identity_flag)
        {
          s.identity_flagged++;
          continue;
        }
      switch (reveal (packs, b, &ma, &mb, &category, NULL))
        {
        case REVEAL_UNKNOWN:
          s.unknown_response++;
          continue;
        case REVEAL_SEALED:
          s.sealed++;
          continue;
        case REVEAL_OK:
        default:
          break;
        }
      if (ka_vote_log_add (log, ma, mb, b->winner, ka_export_parse_time (b->voted_at),
                           category, ka_mode_to_string (b->mode)))
        s.added++;
      else
        s.unknown_response++;
    }

  if (stats != NULL)
    *stats = s;
  return s.added > 0;
}

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
static void
ballot_fields (const KaBallot *b,
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

static int
compare_ballots (gconstpointer a,
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

static double
tstamp_of (const KaBallot *b)
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
  json_builder_add_double_value (j, tstamp_of (b));
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

static char *
tally_csv_text (GBytes                *fastchat,
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
  g_ptr_array_sort (sorted, compare_ballots);

  for (guint c = 0; c < N_COLUMNS; c++)
    {
      if (c > 0)
        g_string_append_c (csv, ',');
      g_string_append (csv, csv_columns[c]);
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
      RevealStatus status = reveal (packs, b, &ma, &mb, &category, &n_turns);
      const char *reason = NULL;

      g_string_append (jsonl, line);
      g_string_append_c (jsonl, '\n');

      ballot_fields (b, category, ma, mb, fields);
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
          g_autoptr(JsonNode) battle = fastchat_battle (b, find_pack (packs, b->pack_id),
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
  tally = tally_csv_text (fastchat_bytes, &options, error);
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

/* Audit ------------------------------------------------------------------------------- */

/**
 * ka_audit_kind_to_string:
 * @kind: a kind
 *
 * Returns: (transfer none): `missing`, `altered`, `reordered`, `unexpected` or
 *   `unreadable`
 */
const char *
ka_audit_kind_to_string (KaAuditKind kind)
{
  switch (kind)
    {
    case KA_AUDIT_MISSING:
      return "missing";
    case KA_AUDIT_ALTERED:
      return "altered";
    case KA_AUDIT_REORDERED:
      return "reordered";
    case KA_AUDIT_UNEXPECTED:
      return "unexpected";
    case KA_AUDIT_UNREADABLE:
      return "unreadable";
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * ka_audit_problem_free:
 * @problem: (transfer full) (nullable): a problem
 */
void
ka_audit_problem_free (KaAuditProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->file);
  g_free (problem->ballot_id);
  g_free (problem->message);
  g_free (problem);
}

G_GNUC_PRINTF (5, 6)
static void
report (GPtrArray   *problems,
        KaAuditKind  kind,
        const char  *file,
        const char  *ballot_id,
        const char  *format,
        ...)
{
  KaAuditProblem *p = g_new0 (KaAuditProblem, 1);
  va_list args;

  va_start (args, format);
  p->message = g_strdup_vprintf (format, args);
  va_end (args);
  p->kind = kind;
  p->file = g_strdup (file);
  p->ballot_id = g_strdup (ballot_id);
  g_ptr_array_add (problems, p);
}

/* RFC 4180 reader: rows of fields; quoted fields may hold commas, quotes and newlines. */
static GPtrArray *
parse_csv (const char *text,
           gsize       len)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  GPtrArray *row = NULL;
  GString *field = g_string_new (NULL);
  gsize i = 0;
  gboolean in_row = FALSE;

  while (i < len)
    {
      char c = text[i];

      if (!in_row)
        {
          row = g_ptr_array_new_with_free_func (g_free);
          in_row = TRUE;
        }
      if (c == '"' && field->len == 0)
        {
          i++;
          while (i < len)
            {
              if (text[i] == '"' && i + 1 < len && text[i + 1] == '"')
                {
                  g_string_append_c (field, '"');
                  i += 2;
                }
              else if (text[i] == '"')
                {
                  i++;
                  break;
                }
              else
                g_string_append_c (field, text[i++]);
            }
          continue;
        }
      if (c == ',')
        {
          g_ptr_array_add (row, g_strndup (field->str, field->len));
          g_string_truncate (field, 0);
          i++;
          continue;
        }
      if (c == '\r' && i + 1 < len && text[i + 1] == '\n')
        {
          i++;
          continue;
        }
      if (c == '\n')
        {
          g_ptr_array_add (row, g_strndup (field->str, field->len));
          g_string_truncate (field, 0);
          g_ptr_array_add (rows, row);
          row = NULL;
          in_row = FALSE;
          i++;
          continue;
        }
      g_string_append_c (field, c);
      i++;
    }
  if (in_row)
    {
      g_ptr_array_add (row, g_strndup (field->str, field->len));
      g_ptr_array_add (rows, row);
    }
  g_string_free (field, TRUE);
  return rows;
}

static JsonObject *
load_json_object (const char  *path,
                  JsonParser  *parser,
                  GError     **error)
{
  JsonNode *root;

  if (!json_parser_load_from_mapped_file (parser, path, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, KA_EXPORT_ERROR, KA_EXPORT_ERROR_PARSE, _("not a JSON object"));
      return NULL;
    }
  return json_node_get_object (root);
}

static GBytes *
read_file (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return NULL;
  return g_bytes_new_take (contents, len);
}

typedef struct
{
  GPtrArray  *ballots;     /* (element-type KaBallot) from ballots.jsonl, file order */
  GHashTable *index;       /* ballot_id → position + 1 in the file */
  GHashTable *rank;        /* ballot_id → position + 1 in (device, seq) order */
  GHashTable *battles;     /* ballot_id → JsonObject of battles-fastchat.json */
  GHashTable *excluded;    /* ballot_id → reason */
  GPtrArray  *battle_list; /* (element-type JsonObject) owns the objects of @battles */
} AuditState;

/* Order check shared by the CSV and the FastChat file: rows must follow ballots.jsonl. */
typedef struct
{
  gint64      last_pos;
  const char *last_id;
} OrderCheck;

static void
check_order (GPtrArray   *problems,
             OrderCheck  *oc,
             const char  *file,
             const char  *what,
             guint        number,
             const char  *ballot_id,
             gint64       pos)
{
  if (pos < oc->last_pos)
    report (problems, KA_AUDIT_REORDERED, file, ballot_id,
            _("%s: %s %u (ballot %s) is out of order: it was exported before ballot %s"),
            file, what, number, ballot_id, oc->last_id);
  oc->last_pos = pos;
  oc->last_id = ballot_id;
}

/* A copy of the pointers without the element free function (g_ptr_array_copy() would keep
 * it, and freeing the copy would free the elements). */
static GPtrArray *
plain_copy (GPtrArray *array)
{
  GPtrArray *copy = g_ptr_array_sized_new (array->len);

  for (guint i = 0; i < array->len; i++)
    g_ptr_array_add (copy, g_ptr_array_index (array, i));
  return copy;
}

static void
audit_ballots_jsonl (const char *dir,
                     JsonObject *manifest,
                     AuditState *st,
                     GPtrArray  *problems)
{
  g_autoptr(GBytes) bytes = read_file (dir, KA_EXPORT_BALLOTS_JSONL);
  gsize len;
  const char *text;
  guint number = 0;
  g_autoptr(GHashTable) devices = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                         (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) device_order = g_ptr_array_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  const KaBallot *prev = NULL;

  if (bytes == NULL)
    return;  /* reported as missing with the manifest's files */

  text = g_bytes_get_data (bytes, &len);
  for (gsize pos = 0; pos < len;)
    {
      const char *nl = memchr (text + pos, '\n', len - pos);
      gsize stop = nl != NULL ? (gsize) (nl - text) : len;
      GError *local = NULL;
      KaBallot *b;

      number++;
      if (stop == pos)
        {
          pos = stop + 1;
          continue;
        }
      if (!json_parser_load_from_data (parser, text + pos, stop - pos, &local) ||
          (b = ka_ballot_new_from_json (json_parser_get_root (parser), &local)) == NULL)
        {
          report (problems, KA_AUDIT_ALTERED, KA_EXPORT_BALLOTS_JSONL, NULL,
                  _("%s line %u: altered: it is not a valid ballot (%s)"),
                  KA_EXPORT_BALLOTS_JSONL, number, local != NULL ? local->message : "?");
          g_clear_error (&local);
          pos = stop + 1;
          continue;
        }
      pos = stop + 1;

      if (g_hash_table_contains (st->index, b->ballot_id))
        {
          report (problems, KA_AUDIT_UNEXPECTED, KA_EXPORT_BALLOTS_JSONL, b->ballot_id,
                  _("%s line %u: ballot %s appears twice"),
                  KA_EXPORT_BALLOTS_JSONL, number, b->ballot_id);
          ka_ballot_free (b);
          continue;
        }
      g_ptr_array_add (st->ballots, b);
      g_hash_table_insert (st->index, b->ballot_id, GUINT_TO_POINTER (st->ballots->len));

      if (!ka_ballot_verify_hash (b))
        report (problems, KA_AUDIT_ALTERED, KA_EXPORT_BALLOTS_JSONL, b->ballot_id,
                _("%s line %u: ballot %s (device %s, seq %" PRId64 ") was altered: "
                  "its hash does not match its content"),
                KA_EXPORT_BALLOTS_JSONL, number, b->ballot_id, b->device_id, b->seq);

      if (prev != NULL && compare_ballots (&prev, (gconstpointer) &b) > 0)
        report (problems, KA_AUDIT_REORDERED, KA_EXPORT_BALLOTS_JSONL, b->ballot_id,
                _("%s line %u: ballot %s (device %s, seq %" PRId64 ") is out of "
                  "order: it comes after ballot %s (device %s, seq %" PRId64 ")"),
                KA_EXPORT_BALLOTS_JSONL, number, b->ballot_id, b->device_id, b->seq,
                prev->ballot_id, prev->device_id, prev->seq);
      prev = b;

      {
        GPtrArray *chain = g_hash_table_lookup (devices, b->device_id);

        if (chain == NULL)
          {
            chain = g_ptr_array_new ();
            g_hash_table_insert (devices, b->device_id, chain);
            g_ptr_array_add (device_order, b->device_id);
          }
        g_ptr_array_add (chain, b);
      }
    }

  /* The exported order, whatever the order of this file: the other files follow it. */
  {
    g_autoptr(GPtrArray) sorted = plain_copy (st->ballots);

    g_ptr_array_sort (sorted, compare_ballots);
    for (guint i = 0; i < sorted->len; i++)
      g_hash_table_insert (st->rank, ((KaBallot *) g_ptr_array_index (sorted, i))->ballot_id,
                           GUINT_TO_POINTER (i + 1));
  }

  /* Each device's chain: seq 1, 2, …, linked by prev_hash; ka_ballot_chain_verify names
   * the first ballot that is missing, altered or reordered. The file order was checked
   * above, so the chain is checked in seq order: a swap is then named once. */
  for (guint d = 0; d < device_order->len; d++)
    {
      const char *device = g_ptr_array_index (device_order, d);
      GPtrArray *chain = g_hash_table_lookup (devices, device);
      g_autoptr(GPtrArray) by_seq = plain_copy (chain);
      GError *local = NULL;

      g_ptr_array_sort (by_seq, compare_ballots);
      if (!ka_ballot_chain_verify (by_seq, NULL, &local))
        {
          const char *m = local->message;
          KaAuditKind kind;

          if (strstr (m, "missing or altered") != NULL)
            kind = KA_AUDIT_ALTERED;
          else if (strstr (m, "reordered") != NULL)
            kind = KA_AUDIT_REORDERED;
          else if (strstr (m, "missing") != NULL)
            kind = KA_AUDIT_MISSING;
          else
            kind = KA_AUDIT_ALTERED;

          /* A ballot whose own hash fails was named above. */
          if (strstr (m, "altered: its hash") == NULL)
            report (problems, kind, KA_EXPORT_BALLOTS_JSONL, NULL,
                    "%s: %s", KA_EXPORT_BALLOTS_JSONL, m);
          g_clear_error (&local);
        }
    }

  /* Against the manifest: every device's count and chain head. */
  if (manifest != NULL && json_object_has_member (manifest, "devices"))
    {
      JsonArray *list = json_object_get_array_member (manifest, "devices");
      g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
        {
          JsonObject *dev = json_array_get_object_element (list, i);
          const char *id = dev != NULL ? get_string_member (dev, "device_id") : NULL;
          const char *want_head = dev != NULL ? get_string_member (dev, "chain_head") : NULL;
          gint64 want = dev != NULL && json_object_has_member (dev, "count") ?
                        json_object_get_int_member (dev, "count") : -1;
          GPtrArray *chain;
          g_autoptr(GPtrArray) by_seq = NULL;
          const KaBallot *last;

          if (id == NULL)
            continue;
          g_hash_table_add (listed, (gpointer) id);
          chain = g_hash_table_lookup (devices, id);
          if (chain == NULL)
            {
              report (problems, KA_AUDIT_MISSING, KA_EXPORT_BALLOTS_JSONL, NULL,
                      _("%s: all %" PRId64 " ballots of device %s are missing"),
                      KA_EXPORT_BALLOTS_JSONL, want, id);
              continue;
            }
          by_seq = plain_copy (chain);
          g_ptr_array_sort (by_seq, compare_ballots);
          last = g_ptr_array_index (by_seq, by_seq->len - 1);
          if ((gint64) chain->len < want)
            report (problems, KA_AUDIT_MISSING, KA_EXPORT_BALLOTS_JSONL, NULL,
                    _("%s: device %s has %u ballots but the manifest lists %" PRId64),
                    KA_EXPORT_BALLOTS_JSONL, id, chain->len, want);
          else if ((gint64) chain->len > want)
            report (problems, KA_AUDIT_UNEXPECTED, KA_EXPORT_BALLOTS_JSONL, NULL,
                    _("%s: device %s has %u ballots but the manifest lists %" PRId64),
                    KA_EXPORT_BALLOTS_JSONL, id, chain->len, want);
          else if (g_strcmp0 (last->hash, want_head) != 0)
            report (problems, KA_AUDIT_ALTERED, KA_EXPORT_BALLOTS_JSONL, last->ballot_id,
                    _("%s: the chain head of device %s (ballot %s, seq %" PRId64
                      ") is %s, not the manifest’s %s: the newest ballot was altered or "
                      "replaced"),
                    KA_EXPORT_BALLOTS_JSONL, id, last->ballot_id, last->seq, last->hash,
                    want_head != NULL ? want_head : "(none)");
        }
      for (guint d = 0; d < device_order->len; d++)
        if (!g_hash_table_contains (listed, g_ptr_array_index (device_order, d)))
          report (problems, KA_AUDIT_UNEXPECTED, KA_EXPORT_BALLOTS_JSONL, NULL,
                  _("%s: device %s is not in the manifest"), KA_EXPORT_BALLOTS_JSONL,
                  (const char *) g_ptr_array_index (device_order, d));
    }
}

static gboolean
collect_battle (JsonObject  *o,
                guint        number,
                gpointer     data,
                GError     **error)
{
  GPtrArray *list = data;

  g_ptr_array_add (list, json_object_ref (o));
  return TRUE;
}

static void
audit_fastchat (const char *dir,
                GPtrArray  *packs,
                AuditState *st,
                GPtrArray  *problems)
{
  g_autoptr(GBytes) bytes = read_file (dir, KA_EXPORT_FASTCHAT);
  GPtrArray *list = st->battle_list;
  GError *local = NULL;
  OrderCheck oc = { -1, NULL };
  const char *file = KA_EXPORT_FASTCHAT;

  if (bytes == NULL)
    return;
  if (!foreach_object (bytes, file, collect_battle, list, &local))
    {
      report (problems, KA_AUDIT_UNREADABLE, file, NULL, "%s: %s", file, local->message);
      g_error_free (local);
      return;
    }

  for (guint i = 0; i < list->len; i++)
    {
      JsonObject *o = g_ptr_array_index (list, i);
      const char *id = get_string_member (o, "ballot_id");
      gpointer pos = id != NULL ? g_hash_table_lookup (st->index, id) : NULL;
      const KaBallot *b;
      KaWinner w;
      double tstamp = 0.0;
      const char *ma, *mb, *category;

      if (pos == NULL)
        {
          report (problems, KA_AUDIT_UNEXPECTED, file, id,
                  _("%s: battle %u (ballot %s) matches no ballot of %s"),
                  file, i + 1, id != NULL ? id : "?", KA_EXPORT_BALLOTS_JSONL);
          continue;
        }
      if (g_hash_table_contains (st->battles, id))
        {
          report (problems, KA_AUDIT_UNEXPECTED, file, id,
                  _("%s: battle %u repeats ballot %s"), file, i + 1, id);
          continue;
        }
      g_hash_table_insert (st->battles, (gpointer) id, o);
      b = g_ptr_array_index (st->ballots, GPOINTER_TO_UINT (pos) - 1);
      check_order (problems, &oc, file, _("battle"), i + 1, b->ballot_id,
                   GPOINTER_TO_INT (g_hash_table_lookup (st->rank, id)));

      if (!ka_export_winner_from_fastchat (get_string_member (o, "winner"), &w) || w != b->winner)
        report (problems, KA_AUDIT_ALTERED, file, id,
                _("%s: battle %u (ballot %s): field “winner” differs from the ballot"),
                file, i + 1, id);
      if (g_strcmp0 (get_string_member (o, "question_id"), b->prompt_id) != 0)
        report (problems, KA_AUDIT_ALTERED, file, id,
                _("%s: battle %u (ballot %s): field “question_id” differs from the ballot"),
                file, i + 1, id);
      if (!get_number_member (o, "tstamp", &tstamp) || fabs (tstamp - tstamp_of (b)) > 1e-3)
        report (problems, KA_AUDIT_ALTERED, file, id,
                _("%s: battle %u (ballot %s): field “tstamp” differs from the ballot"),
                file, i + 1, id);
      if (g_strcmp0 (get_string_member (o, "mode"), ka_mode_to_string (b->mode)) != 0)
        report (problems, KA_AUDIT_ALTERED, file, id,
                _("%s: battle %u (ballot %s): field “mode” differs from the ballot"),
                file, i + 1, id);
      if (g_hash_table_contains (st->excluded, id))
        report (problems, KA_AUDIT_UNEXPECTED, file, id,
                _("%s: battle %u (ballot %s) was excluded from the tally (%s)"),
                file, i + 1, id, (const char *) g_hash_table_lookup (st->excluded, id));
      if (packs != NULL && reveal (packs, b, &ma, &mb, &category, NULL) == REVEAL_OK)
        {
          if (g_strcmp0 (get_string_member (o, "model_a"), ma) != 0 ||
              g_strcmp0 (get_string_member (o, "model_b"), mb) != 0)
            report (problems, KA_AUDIT_ALTERED, file, id,
                    _("%s: battle %u (ballot %s): “model_a”/“model_b” differ from the pack"),
                    file, i + 1, id);
        }
    }

  /* Every ballot that was not excluded has its battle. */
  for (guint i = 0; i < st->ballots->len; i++)
    {
      const KaBallot *b = g_ptr_array_index (st->ballots, i);

      if (!g_hash_table_contains (st->battles, b->ballot_id) &&
          !g_hash_table_contains (st->excluded, b->ballot_id))
        report (problems, KA_AUDIT_MISSING, file, b->ballot_id,
                _("%s: the battle of ballot %s (device %s, seq %" PRId64 ") is missing"),
                file, b->ballot_id, b->device_id, b->seq);
    }
}

static void
audit_csv (const char *dir,
           GPtrArray  *packs,
           AuditState *st,
           GPtrArray  *problems)
{
  g_autoptr(GBytes) bytes = read_file (dir, KA_EXPORT_BALLOTS_CSV);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const char *file = KA_EXPORT_BALLOTS_CSV;
  OrderCheck oc = { -1, NULL };
  const char *text;
  gsize len;
  GPtrArray *header;

  if (bytes == NULL)
    return;
  text = g_bytes_get_data (bytes, &len);
  if (len < 3 || memcmp (text, UTF8_BOM, 3) != 0)
    report (problems, KA_AUDIT_ALTERED, file, NULL,
            _("%s: the UTF-8 byte-order mark is missing"), file);
  else
    {
      text += 3;
      len -= 3;
    }

  rows = parse_csv (text, len);
  if (rows->len == 0)
    {
      report (problems, KA_AUDIT_UNREADABLE, file, NULL, _("%s: no header row"), file);
      return;
    }
  header = g_ptr_array_index (rows, 0);
  if (header->len != N_COLUMNS)
    {
      report (problems, KA_AUDIT_ALTERED, file, NULL,
              _("%s: the header has %u columns instead of %u"), file, header->len, (guint) N_COLUMNS);
      return;
    }
  for (guint c = 0; c < N_COLUMNS; c++)
    if (!g_str_equal (g_ptr_array_index (header, c), csv_columns[c]))
      {
        report (problems, KA_AUDIT_ALTERED, file, NULL,
                _("%s: header column %u is “%s”, not “%s”"), file, c + 1,
                (const char *) g_ptr_array_index (header, c), csv_columns[c]);
        return;
      }

  for (guint r = 1; r < rows->len; r++)
    {
      GPtrArray *row = g_ptr_array_index (rows, r);
      const char *id = row->len > 0 ? g_ptr_array_index (row, 0) : "";
      gpointer pos = g_hash_table_lookup (st->index, id);
      const KaBallot *b;
      char *want[N_COLUMNS];
      const char *ma = NULL, *mb = NULL, *category = NULL;
      gboolean derived_known = FALSE;
      JsonObject *battle;

      if (row->len == 1 && id[0] == '\0')
        continue;   /* blank line */
      if (pos == NULL)
        {
          report (problems, KA_AUDIT_UNEXPECTED, file, id,
                  _("%s: row %u (ballot %s) matches no ballot of %s"),
                  file, r, id, KA_EXPORT_BALLOTS_JSONL);
          continue;
        }
      if (!g_hash_table_add (seen, (gpointer) id))
        {
          report (problems, KA_AUDIT_UNEXPECTED, file, id,
                  _("%s: row %u repeats ballot %s"), file, r, id);
          continue;
        }
      b = g_ptr_array_index (st->ballots, GPOINTER_TO_UINT (pos) - 1);
      check_order (problems, &oc, file, _("row"), r, b->ballot_id,
                   GPOINTER_TO_INT (g_hash_table_lookup (st->rank, id)));
      if (row->len != N_COLUMNS)
        {
          report (problems, KA_AUDIT_ALTERED, file, id,
                  _("%s: row %u (ballot %s) has %u fields instead of %u"),
                  file, r, id, row->len, (guint) N_COLUMNS);
          continue;
        }

      /* Revealed columns: from the pack if given, else from the FastChat battle. */
      if (packs != NULL && reveal (packs, b, &ma, &mb, &category, NULL) == REVEAL_OK)
        derived_known = TRUE;
      else if ((battle = g_hash_table_lookup (st->battles, b->ballot_id)) != NULL)
        {
          ma = get_string_member (battle, "model_a");
          mb = get_string_member (battle, "model_b");
          category = get_string_member (battle, "category");
          derived_known = TRUE;
        }

      ballot_fields (b, category, ma, mb, want);
      for (guint c = 0; c < N_COLUMNS; c++)
        {
          const char *got = g_ptr_array_index (row, c);
          gboolean derived = c == COL_CATEGORY || c == COL_MODEL_A || c == COL_MODEL_B;

          if ((!derived || derived_known) && g_strcmp0 (got, want[c] != NULL ? want[c] : "") != 0)
            report (problems, KA_AUDIT_ALTERED, file, id,
                    _("%s: row %u (ballot %s): field “%s” is “%s”, not “%s”"),
                    file, r, id, csv_columns[c], got, want[c] != NULL ? want[c] : "");
          g_free (want[c]);
        }
    }

  for (guint i = 0; i < st->ballots->len; i++)
    {
      const KaBallot *b = g_ptr_array_index (st->ballots, i);

      if (!g_hash_table_contains (seen, b->ballot_id))
        report (problems, KA_AUDIT_MISSING, file, b->ballot_id,
                _("%s: the row of ballot %s (device %s, seq %" PRId64 ") is missing"),
                file, b->ballot_id, b->device_id, b->seq);
    }
}

static void
audit_tally (const char *dir,
             JsonObject *manifest,
             GPtrArray  *problems)
{
  g_autoptr(GBytes) fastchat = read_file (dir, KA_EXPORT_FASTCHAT);
  g_autoptr(GBytes) tally = read_file (dir, KA_EXPORT_TALLY_CSV);
  g_autofree char *want = NULL;
  g_auto(GStrv) want_lines = NULL;
  g_auto(GStrv) got_lines = NULL;
  g_autofree char *got = NULL;
  KaRatingOptions options;
  JsonObject *t;
  GError *local = NULL;
  const char *file = KA_EXPORT_TALLY_CSV;

  if (fastchat == NULL || tally == NULL || manifest == NULL)
    return;
  t = json_object_has_member (manifest, "tally") ? json_object_get_object_member (manifest, "tally") : NULL;
  ka_rating_options_init (&options);
  if (t != NULL)
    {
      options.bootstrap_rounds = (guint) json_object_get_int_member_with_default (t, "bootstrap_rounds", KA_RATING_DEFAULT_BOOTSTRAP);
      options.seed = (guint64) json_object_get_int_member_with_default (t, "seed", 0);
    }
  want = tally_csv_text (fastchat, &options, &local);
  if (want == NULL)
    {
      report (problems, KA_AUDIT_UNREADABLE, file, NULL,
              _("%s: cannot be recomputed from %s: %s"), file, KA_EXPORT_FASTCHAT, local->message);
      g_error_free (local);
      return;
    }
  got = g_strndup (g_bytes_get_data (tally, NULL), g_bytes_get_size (tally));
  if (g_str_equal (got, want))
    return;

  want_lines = g_strsplit (want, "\n", -1);
  got_lines = g_strsplit (got, "\n", -1);
  for (guint i = 0; want_lines[i] != NULL || got_lines[i] != NULL; i++)
    {
      if (want_lines[i] == NULL || got_lines[i] == NULL)
        {
          report (problems, want_lines[i] == NULL ? KA_AUDIT_UNEXPECTED : KA_AUDIT_MISSING,
                  file, NULL, _("%s: line %u: has “%s” where the battles give “%s”"),
                  file, i + 1, got_lines[i] != NULL ? got_lines[i] : "",
                  want_lines[i] != NULL ? want_lines[i] : "");
          break;
        }
      if (!g_str_equal (want_lines[i], got_lines[i]))
        {
          report (problems, KA_AUDIT_ALTERED, file, NULL,
                  _("%s: line %u is “%s” but recomputing from %s gives “%s”"),
                  file, i + 1, got_lines[i], KA_EXPORT_FASTCHAT, want_lines[i]);
          break;
        }
    }
}

/**
 * ka_export_audit:
 * @dir: an export directory written by ka_export_write()
 * @packs: (element-type KaPack) (nullable): the open packs, to check the revealed model
 *   names too
 * @error: return location for an error
 *
 * Checks an export and names every problem found:
 *
 * - every file listed in `manifest.json` exists (else missing) and has its SHA-256
 *   (else altered); a file not listed is unexpected;
 * - `ballots.jsonl`: every ballot's hash recomputes from its content (else altered, with
 *   its ID); ballots follow device then `seq` order (else reordered); each device's chain
 *   verifies with ka_ballot_chain_verify() (missing, altered or reordered, with the seq
 *   and ballot); each device's count and chain head equal the manifest's;
 * - `ballots.csv` and `battles-fastchat.json`: one row or battle per ballot (missing,
 *   unexpected), in the same order (reordered, naming both ballots), with the same field
 *   values (altered, naming the field);
 * - `tally.csv` equals the tally recomputed from `battles-fastchat.json` with the
 *   manifest's seed and rounds.
 *
 * Because each file is checked against the others and against the hash chains, an edit
 * is caught even when the manifest's checksums are recomputed; only a chain head kept
 * elsewhere (the collector's) catches the newest ballots of a device cut off together
 * with the manifest entry.
 *
 * Returns: (transfer full) (element-type KaAuditProblem): the problems, empty if the
 *   export is intact; %NULL with @error set if @dir cannot be read
 */
GPtrArray *
ka_export_audit (const char  *dir,
                 GPtrArray   *packs,
                 GError     **error)
{
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *manifest_path = NULL;
  g_autoptr(GDir) d = NULL;
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  JsonObject *manifest = NULL;
  AuditState st = { 0, };
  GError *local = NULL;
  const char *name;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  d = g_dir_open (dir, 0, error);
  if (d == NULL)
    return NULL;

  problems = g_ptr_array_new_with_free_func ((GDestroyNotify) ka_audit_problem_free);
  st.ballots = g_ptr_array_new_with_free_func ((GDestroyNotify) ka_ballot_free);
  st.index = g_hash_table_new (g_str_hash, g_str_equal);
  st.rank = g_hash_table_new (g_str_hash, g_str_equal);
  st.battles = g_hash_table_new (g_str_hash, g_str_equal);
  st.excluded = g_hash_table_new (g_str_hash, g_str_equal);
  st.battle_list = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  manifest_path = g_build_filename (dir, KA_EXPORT_MANIFEST, NULL);
  if (!g_file_test (manifest_path, G_FILE_TEST_EXISTS))
    report (problems, KA_AUDIT_MISSING, KA_EXPORT_MANIFEST, NULL,
            _("%s is missing"), KA_EXPORT_MANIFEST);
  else if ((manifest = load_json_object (manifest_path, parser, &local)) == NULL ||
           g_strcmp0 (get_string_member (manifest, "format"), KA_EXPORT_FORMAT) != 0)
    {
      report (problems, KA_AUDIT_UNREADABLE, KA_EXPORT_MANIFEST, NULL,
              _("%s is not a %s manifest%s%s"), KA_EXPORT_MANIFEST, KA_EXPORT_FORMAT,
              local != NULL ? ": " : "", local != NULL ? local->message : "");
      g_clear_error (&local);
      manifest = NULL;
    }
  g_hash_table_add (listed, (gpointer) KA_EXPORT_MANIFEST);

  if (manifest != NULL)
    {
      JsonArray *files = json_object_has_member (manifest, "files") ?
                         json_object_get_array_member (manifest, "files") : NULL;
      JsonArray *excluded = json_object_has_member (manifest, "excluded") ?
                            json_object_get_array_member (manifest, "excluded") : NULL;

      for (guint i = 0; files != NULL && i < json_array_get_length (files); i++)
        {
          JsonObject *f = json_array_get_object_element (files, i);
          const char *fname = f != NULL ? get_string_member (f, "name") : NULL;
          const char *sha = f != NULL ? get_string_member (f, "sha256") : NULL;
          g_autoptr(GBytes) bytes = NULL;
          g_autofree char *got = NULL;

          if (fname == NULL || strchr (fname, '/') != NULL || strchr (fname, '\\') != NULL ||
              g_str_equal (fname, "..") || g_str_equal (fname, "."))
            {
              report (problems, KA_AUDIT_UNREADABLE, KA_EXPORT_MANIFEST, NULL,
                      _("%s: file entry %u has no valid name"), KA_EXPORT_MANIFEST, i + 1);
              continue;
            }
          g_hash_table_add (listed, (gpointer) fname);
          bytes = read_file (dir, fname);
          if (bytes == NULL)
            {
              report (problems, KA_AUDIT_MISSING, fname, NULL, _("%s is missing"), fname);
              continue;
            }
          got = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
          if (g_strcmp0 (got, sha) != 0)
            report (problems, KA_AUDIT_ALTERED, fname, NULL,
                    _("%s was altered: its SHA-256 is %s, the manifest says %s"),
                    fname, got, sha != NULL ? sha : "nothing");
        }
      for (guint i = 0; excluded != NULL && i < json_array_get_length (excluded); i++)
        {
          JsonObject *e = json_array_get_object_element (excluded, i);
          const char *id = e != NULL ? get_string_member (e, "ballot_id") : NULL;

          if (id != NULL)
            g_hash_table_insert (st.excluded, (gpointer) id,
                                 (gpointer) (get_string_member (e, "reason") != NULL ?
                                             get_string_member (e, "reason") : "?"));
        }
    }

  while ((name = g_dir_read_name (d)) != NULL)
    if (!g_hash_table_contains (listed, name))
      report (problems, KA_AUDIT_UNEXPECTED, name, NULL,
              _("%s is not listed in the manifest"), name);

  audit_ballots_jsonl (dir, manifest, &st, problems);
  audit_fastchat (dir, packs, &st, problems);
  audit_csv (dir, packs, &st, problems);
  audit_tally (dir, manifest, problems);

  g_ptr_array_unref (st.ballots);
  g_hash_table_unref (st.index);
  g_hash_table_unref (st.rank);
  g_hash_table_unref (st.battles);
  g_hash_table_unref (st.excluded);
  g_ptr_array_unref (st.battle_list);

  return g_steal_pointer (&problems);
}

/* Reading from a collector ------------------------------------------------------------- */

#define COLLECTOR_TIMEOUT_S 60

/* "code: message" from a collector's `{"error": {"code", "message"}}` body, or NULL. */
static char *
collector_error_text (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gconstpointer data;
  gsize len = 0;
  JsonNode *root;
  JsonObject *err;
  const char *code, *message;

  if (body == NULL)
    return NULL;
  data = g_bytes_get_data (body, &len);
  if (len == 0 || !json_parser_load_from_data (parser, data, (gssize) len, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  err = json_object_get_object_member (json_node_get_object (root), "error");
  if (err == NULL)
    return NULL;
  code = json_object_get_string_member_with_default (err, "code", NULL);
  message = json_object_get_string_member_with_default (err, "message", NULL);
  if (code == NULL && message == NULL)
    return NULL;
  return g_strdup_printf ("%s: %s", code != NULL ? code : "error",
                          message != NULL ? message : "");
}

/**
 * ka_export_fetch_collector_ballots:
 * @server_url: the collector's base URL, e.g. `https://collector.example/`; checked with
 *   ka_sync_check_server_url() before any connection (`http://` only for loopback hosts)
 * @organiser_token: the organisers' bearer token (docs/protocol.md), without newline
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Fetches every ballot the collector holds, synchronously, with one #SoupSession:
 * `GET <server_url>/v1/ballots?format=jsonl` with `Authorization: Bearer <token>`
 * (60 s timeout). The answer is JSON Lines as `kai-arena-admin ballots --format jsonl`
 * writes it; give it to ka_export_parse_ballots(). Blocks: call it from a tool or a
 * worker thread, not from a GUI main loop.
 *
 * Returns: (transfer full): the response body; %NULL with #KA_SYNC_ERROR_INVALID_URL or
 *   #KA_SYNC_ERROR_INSECURE_URL (nothing sent), a #GIOError or #GResolverError (not
 *   reachable), or #KA_EXPORT_ERROR_COLLECTOR for a non-2xx answer, whose message names
 *   the HTTP status and the collector's JSON error code and message.
 */
GBytes *
ka_export_fetch_collector_ballots (const char   *server_url,
                                   const char   *organiser_token,
                                   GCancellable *cancellable,
                                   GError      **error)
{
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *base = NULL;
  g_autofree char *url = NULL;
  g_autofree char *auth = NULL;
  g_autofree char *detail = NULL;
  guint status;

  g_return_val_if_fail (server_url != NULL, NULL);
  g_return_val_if_fail (organiser_token != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* DESIGN.md §8: the token never travels in clear to a host other than this computer. */
  if (!ka_sync_check_server_url (server_url, error))
    return NULL;

  base = g_strdup (server_url);
  while (base[0] != '\0' && base[strlen (base) - 1] == '/')
    base[strlen (base) - 1] = '\0';
  url = g_strconcat (base, "/v1/ballots?format=jsonl", NULL);
  msg = soup_message_new (SOUP_METHOD_GET, url);
  if (msg == NULL)
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_INVALID_URL,
                   "“%s” is not a valid URL", server_url);
      return NULL;
    }
  auth = g_strconcat ("Bearer ", organiser_token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/jsonl, application/x-ndjson, */*");

  session = g_object_new (SOUP_TYPE_SESSION, "timeout", COLLECTOR_TIMEOUT_S, NULL);
  body = soup_session_send_and_read (session, msg, cancellable, error);
  if (body == NULL)
    return NULL;

  status = soup_message_get_status (msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      detail = collector_error_text (body);
      g_set_error (error, KA_EXPORT_ERROR, KA_EXPORT_ERROR_COLLECTOR,
                   "the collector answered %u %s%s%s", status,
                   soup_message_get_reason_phrase (msg) != NULL
                   ? soup_message_get_reason_phrase (msg) : "",
                   detail != NULL ? ": " : "", detail != NULL ? detail : "");
      return NULL;
    }
  return g_steal_pointer (&body);
}
