/* ka-export-audit.c: an export checked against its manifest, its chains and itself
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-export"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "ka-export.h"
#include "ka-export-private.h"

G_DEFINE_QUARK (ka-audit-error-quark, ka_audit_error)

/* Chains -------------------------------------------------------------------------------- */

/**
 * ka_audit_verify_chain:
 * @ballots: (element-type KaBallot): the ballots of ONE device, in ascending `seq`
 * @error: return location for a #GError
 *
 * ka_ballot_chain_verify_full() (docs/ballots.md, "Hash chain"), with the same messages,
 * but each kind of break has its own #KaAuditError code, so that the audit
 * sorts breaks by code (ka_audit_kind_from_error()) and never by the wording:
 * %KA_AUDIT_ERROR_CHAIN_HASH (a hash does not recompute), %KA_AUDIT_ERROR_CHAIN_MISSING
 * (a seq is absent, or the first ballot does not start from the genesis hash),
 * %KA_AUDIT_ERROR_CHAIN_REORDERED (a ballot sits at another position, links to another
 * predecessor, or repeats a seq), %KA_AUDIT_ERROR_CHAIN_REPLACED (a `prev_hash` that
 * matches no ballot: the one before was replaced or removed), %KA_AUDIT_ERROR_CHAIN_INVALID
 * (ballots of several devices, or a missing field).
 *
 * Returns: %TRUE if the chain is intact
 */
gboolean
ka_audit_verify_chain (GPtrArray  *ballots,
                       GError    **error)
{
  static const KaAuditError codes[] = {
    [KA_BALLOT_CHAIN_INVALID] = KA_AUDIT_ERROR_CHAIN_INVALID,
    [KA_BALLOT_CHAIN_HASH] = KA_AUDIT_ERROR_CHAIN_HASH,
    [KA_BALLOT_CHAIN_MISSING] = KA_AUDIT_ERROR_CHAIN_MISSING,
    [KA_BALLOT_CHAIN_REORDERED] = KA_AUDIT_ERROR_CHAIN_REORDERED,
    [KA_BALLOT_CHAIN_REPLACED] = KA_AUDIT_ERROR_CHAIN_REPLACED,
  };
  g_autoptr(GError) local = NULL;
  KaBallotChainBreak kind;

  g_return_val_if_fail (ballots != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (ka_ballot_chain_verify_full (ballots, NULL, &kind, &local))
    return TRUE;

  g_assert (kind != KA_BALLOT_CHAIN_INTACT && kind < G_N_ELEMENTS (codes));
  g_set_error_literal (error, KA_AUDIT_ERROR, codes[kind], local->message);
  return FALSE;
}

/**
 * ka_audit_kind_from_error:
 * @error: an error of ka_audit_verify_chain()
 *
 * Sorts a chain break by its code alone: a missing seq is %KA_AUDIT_MISSING, a ballot out
 * of place %KA_AUDIT_REORDERED, a replaced predecessor, a hash that does not recompute or
 * an invalid chain %KA_AUDIT_ALTERED. An error of another domain is %KA_AUDIT_ALTERED.
 *
 * Returns: the kind
 */
KaAuditKind
ka_audit_kind_from_error (const GError *error)
{
  g_return_val_if_fail (error != NULL, KA_AUDIT_ALTERED);

  if (error->domain != KA_AUDIT_ERROR)
    return KA_AUDIT_ALTERED;
  switch ((KaAuditError) error->code)
    {
    case KA_AUDIT_ERROR_CHAIN_MISSING:
      return KA_AUDIT_MISSING;
    case KA_AUDIT_ERROR_CHAIN_REORDERED:
      return KA_AUDIT_REORDERED;
    case KA_AUDIT_ERROR_CHAIN_HASH:
    case KA_AUDIT_ERROR_CHAIN_REPLACED:
    case KA_AUDIT_ERROR_CHAIN_INVALID:
    default:
      return KA_AUDIT_ALTERED;
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

      if (prev != NULL && _ka_export_compare_ballots (&prev, (gconstpointer) &b) > 0)
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

    g_ptr_array_sort (sorted, _ka_export_compare_ballots);
    for (guint i = 0; i < sorted->len; i++)
      g_hash_table_insert (st->rank, ((KaBallot *) g_ptr_array_index (sorted, i))->ballot_id,
                           GUINT_TO_POINTER (i + 1));
  }

  /* Each device's chain: seq 1, 2, …, linked by prev_hash; ka_audit_verify_chain names
   * the first ballot that is missing, altered or reordered. The file order was checked
   * above, so the chain is checked in seq order: a swap is then named once. */
  for (guint d = 0; d < device_order->len; d++)
    {
      const char *device = g_ptr_array_index (device_order, d);
      GPtrArray *chain = g_hash_table_lookup (devices, device);
      g_autoptr(GPtrArray) by_seq = plain_copy (chain);
      GError *local = NULL;

      g_ptr_array_sort (by_seq, _ka_export_compare_ballots);
      if (!ka_audit_verify_chain (by_seq, &local))
        {
          /* The kind comes from the error code, never from the wording of the message. */
          if (!g_error_matches (local, KA_AUDIT_ERROR, KA_AUDIT_ERROR_CHAIN_HASH))
            report (problems, ka_audit_kind_from_error (local), KA_EXPORT_BALLOTS_JSONL, NULL,
                    "%s: %s", KA_EXPORT_BALLOTS_JSONL, local->message);
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
          const char *id = dev != NULL ? _ka_export_get_string_member (dev, "device_id") : NULL;
          const char *want_head = dev != NULL ? _ka_export_get_string_member (dev, "chain_head") : NULL;
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
          g_ptr_array_sort (by_seq, _ka_export_compare_ballots);
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
  if (!_ka_export_foreach_object (bytes, file, collect_battle, list, &local))
    {
      report (problems, KA_AUDIT_UNREADABLE, file, NULL, "%s: %s", file, local->message);
      g_error_free (local);
      return;
    }

  for (guint i = 0; i < list->len; i++)
    {
      JsonObject *o = g_ptr_array_index (list, i);
      const char *id = _ka_export_get_string_member (o, "ballot_id");
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

      if (!ka_export_winner_from_fastchat (_ka_export_get_string_member (o, "winner"), &w) || w != b->winner)
        report (problems, KA_AUDIT_ALTERED, file, id,
                _("%s: battle %u (ballot %s): field “winner” differs from the ballot"),
                file, i + 1, id);
      if (g_strcmp0 (_ka_export_get_string_member (o, "question_id"), b->prompt_id) != 0)
        report (problems, KA_AUDIT_ALTERED, file, id,
                _("%s: battle %u (ballot %s): field “question_id” differs from the ballot"),
                file, i + 1, id);
      if (!_ka_export_get_number_member (o, "tstamp", &tstamp) || fabs (tstamp - _ka_export_tstamp_of (b)) > 1e-3)
        report (problems, KA_AUDIT_ALTERED, file, id,
                _("%s: battle %u (ballot %s): field “tstamp” differs from the ballot"),
                file, i + 1, id);
      if (g_strcmp0 (_ka_export_get_string_member (o, "mode"), ka_mode_to_string (b->mode)) != 0)
        report (problems, KA_AUDIT_ALTERED, file, id,
                _("%s: battle %u (ballot %s): field “mode” differs from the ballot"),
                file, i + 1, id);
      if (g_hash_table_contains (st->excluded, id))
        report (problems, KA_AUDIT_UNEXPECTED, file, id,
                _("%s: battle %u (ballot %s) was excluded from the tally (%s)"),
                file, i + 1, id, (const char *) g_hash_table_lookup (st->excluded, id));
      if (packs != NULL && _ka_export_reveal (packs, b, &ma, &mb, &category, NULL) == REVEAL_OK)
        {
          if (g_strcmp0 (_ka_export_get_string_member (o, "model_a"), ma) != 0 ||
              g_strcmp0 (_ka_export_get_string_member (o, "model_b"), mb) != 0)
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
    if (!g_str_equal (g_ptr_array_index (header, c), _ka_export_csv_columns[c]))
      {
        report (problems, KA_AUDIT_ALTERED, file, NULL,
                _("%s: header column %u is “%s”, not “%s”"), file, c + 1,
                (const char *) g_ptr_array_index (header, c), _ka_export_csv_columns[c]);
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
      if (packs != NULL && _ka_export_reveal (packs, b, &ma, &mb, &category, NULL) == REVEAL_OK)
        derived_known = TRUE;
      else if ((battle = g_hash_table_lookup (st->battles, b->ballot_id)) != NULL)
        {
          ma = _ka_export_get_string_member (battle, "model_a");
          mb = _ka_export_get_string_member (battle, "model_b");
          category = _ka_export_get_string_member (battle, "category");
          derived_known = TRUE;
        }

      _ka_export_ballot_fields (b, category, ma, mb, want);
      for (guint c = 0; c < N_COLUMNS; c++)
        {
          const char *got = g_ptr_array_index (row, c);
          gboolean derived = c == COL_CATEGORY || c == COL_MODEL_A || c == COL_MODEL_B;

          if ((!derived || derived_known) && g_strcmp0 (got, want[c] != NULL ? want[c] : "") != 0)
            report (problems, KA_AUDIT_ALTERED, file, id,
                    _("%s: row %u (ballot %s): field “%s” is “%s”, not “%s”"),
                    file, r, id, _ka_export_csv_columns[c], got, want[c] != NULL ? want[c] : "");
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
  want = _ka_export_tally_csv_text (fastchat, &options, &local);
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

  /* One streaming pass proves an intact export with memory that does not grow with the
   * count; only an export it cannot prove intact is read whole, to name its problems. */
  if (_ka_export_audit_stream (dir, packs))
    return g_steal_pointer (&problems);

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
           g_strcmp0 (_ka_export_get_string_member (manifest, "format"), KA_EXPORT_FORMAT) != 0)
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
          const char *fname = f != NULL ? _ka_export_get_string_member (f, "name") : NULL;
          const char *sha = f != NULL ? _ka_export_get_string_member (f, "sha256") : NULL;
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
          const char *id = e != NULL ? _ka_export_get_string_member (e, "ballot_id") : NULL;

          if (id != NULL)
            g_hash_table_insert (st.excluded, (gpointer) id,
                                 (gpointer) (_ka_export_get_string_member (e, "reason") != NULL ?
                                             _ka_export_get_string_member (e, "reason") : "?"));
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
