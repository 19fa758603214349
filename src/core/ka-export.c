/* ka-export.c: the export formats' vocabulary and readers: FastChat battles and ballots in,
 * the models revealed by open packs
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

#include "ka-export.h"
#include "ka-export-private.h"

G_DEFINE_QUARK (ka-export-error-quark, ka_export_error)

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

gboolean
_ka_export_foreach_object (GBytes      *bytes,
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

const char *
_ka_export_get_string_member (JsonObject *o,
                              const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gboolean
_ka_export_get_number_member (JsonObject *o,
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
  const char *a = _ka_export_get_string_member (o, "model_a");
  const char *b = _ka_export_get_string_member (o, "model_b");
  const char *w = _ka_export_get_string_member (o, "winner");
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
  if (_ka_export_get_number_member (o, "tstamp", &tstamp) && isfinite (tstamp))
    time_us = (gint64) llround (tstamp * G_USEC_PER_SEC);

  if (!ka_vote_log_add (log, a, b, winner, time_us, _ka_export_get_string_member (o, "category"),
                        _ka_export_get_string_member (o, "mode")))
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

  return _ka_export_foreach_object (bytes, _("battle"), add_fastchat_object, log, error);
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
  if (!_ka_export_foreach_object (bytes, _("ballots"), add_ballot_object, ballots, error))
    return NULL;
  return g_steal_pointer (&ballots);
}

/* Model names revealed by the packs ------------------------------------------------ */

KaPack *
_ka_export_find_pack (GPtrArray  *packs,
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

RevealStatus
_ka_export_reveal (GPtrArray      *packs,
                   const KaBallot *b,
                   const char    **model_a,
                   const char    **model_b,
                   const char    **category,
                   guint          *n_turns)
{
  KaPack *pack = _ka_export_find_pack (packs, b->pack_id);
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
      switch (_ka_export_reveal (packs, b, &ma, &mb, &category, NULL))
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
