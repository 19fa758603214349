/* ka-export-audit-stream.c: the audit's one streaming pass over an intact export
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ka_export_audit() names every problem of an export, which needs every ballot at hand
 * (a row may be anywhere, a ballot may be missing from one file only). Nearly every
 * export it reads is intact, though, and proving that needs far less: ballots.jsonl,
 * ballots.csv and battles-fastchat.json are written in the same (device, seq) order, so
 * they can be read side by side, one line at a time, each ballot checked against its row
 * and its battle, each file hashed as it is read, each chain followed as it goes, and the
 * votes collected for the tally. Nothing per ballot is kept but the 16-byte vote.
 *
 * This pass is stricter than the full audit: anything unexpected (a line out of step, a
 * field that differs, a line the strict scanner will not read, a file laid out otherwise
 * than the writer lays it out) ends it with %FALSE, and the full audit then runs and
 * names what is wrong. It returns %TRUE only when the full audit would find nothing.
 */

#define G_LOG_DOMAIN "ka-export"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ka-export.h"
#include "ka-export-private.h"
#include "ka-json-scanner.h"

#define READ_CHUNK (1 << 16)

/* A buffered reader that hashes every byte it reads. */
typedef struct
{
  FILE      *file;
  struct sha256_ctx sha;
  char       hex[65];
  char      *buf;
  gsize      pos;
  gsize      len;
} Reader;

static gboolean
reader_open (Reader     *r,
             const char *dir,
             const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  r->file = fopen (path, "rb");
  if (r->file == NULL)
    return FALSE;
  sha256_init (&r->sha);
  r->hex[0] = '\0';
  r->buf = g_malloc (READ_CHUNK);
  r->pos = r->len = 0;
  return TRUE;
}

static void
reader_clear (Reader *r)
{
  if (r->file != NULL)
    fclose (r->file);
  r->file = NULL;
  g_clear_pointer (&r->buf, g_free);
}

static gboolean
reader_fill (Reader *r)
{
  if (r->pos < r->len)
    return TRUE;
  r->len = fread (r->buf, 1, READ_CHUNK, r->file);
  r->pos = 0;
  if (r->len > 0)
    sha256_update (&r->sha, r->len, (const guint8 *) r->buf);
  return r->len > 0;
}

/* One line without its '\n' into @line; FALSE at the end of the file, or for a last line
 * without '\n' (the writer ends every line). */
static gboolean
reader_line (Reader  *r,
             GString *line)
{
  g_string_truncate (line, 0);
  while (reader_fill (r))
    {
      const char *start = r->buf + r->pos;
      const char *nl = memchr (start, '\n', r->len - r->pos);

      if (nl != NULL)
        {
          g_string_append_len (line, start, nl - start);
          r->pos += nl - start + 1;
          return TRUE;
        }
      g_string_append_len (line, start, r->len - r->pos);
      r->pos = r->len;
    }
  return FALSE;
}

static gboolean
reader_at_end (Reader *r)
{
  return !reader_fill (r);
}

/* The SHA-256 of everything read, once the reader is at the end. */
static const char *
reader_sha256 (Reader *r)
{
  if (r->hex[0] == '\0')
    _ka_export_sha256_hex (&r->sha, r->hex);
  return r->hex;
}

/* One CSV record exactly as the full audit's RFC 4180 reader splits it: quoted fields
 * may hold commas, quotes and newlines; \r\n ends a record as \n does. Fields go into
 * @buf, NUL-separated, their starts into @starts. */
static gboolean
reader_csv_record (Reader  *r,
                   GString *buf,
                   gsize   *starts,
                   guint    max_fields,
                   guint   *n_fields)
{
  gboolean any = FALSE;
  gsize field_start = 0;

  g_string_truncate (buf, 0);
  *n_fields = 0;

#define NEXT_FIELD()                                 \
  G_STMT_START {                                     \
    if (*n_fields == max_fields)                     \
      return FALSE;                                  \
    starts[(*n_fields)++] = field_start;             \
    g_string_append_c (buf, '\0');                   \
    field_start = buf->len;                          \
  } G_STMT_END

  while (reader_fill (r))
    {
      char c = r->buf[r->pos];

      any = TRUE;
      if (c == '"' && buf->len == field_start)
        {
          r->pos++;
          for (;;)
            {
              const char *start, *quote;

              if (!reader_fill (r))
                break;
              /* Copy up to the next quote in one go. */
              start = r->buf + r->pos;
              quote = memchr (start, '"', r->len - r->pos);
              if (quote == NULL)
                {
                  g_string_append_len (buf, start, r->len - r->pos);
                  r->pos = r->len;
                  continue;
                }
              g_string_append_len (buf, start, quote - start);
              r->pos += quote - start + 1;
              if (reader_fill (r) && r->buf[r->pos] == '"')
                {
                  g_string_append_c (buf, '"');
                  r->pos++;
                  continue;
                }
              break;
            }
          continue;
        }
      r->pos++;
      if (c == ',')
        {
          NEXT_FIELD ();
          continue;
        }
      if (c == '\r' && reader_fill (r) && r->buf[r->pos] == '\n')
        continue;
      if (c == '\n')
        {
          NEXT_FIELD ();
          return TRUE;
        }
      /* A plain run: up to the next comma, quote or line break. */
      {
        const char *start = r->buf + r->pos - 1;
        const char *p = start + 1;
        const char *stop = r->buf + r->len;

        while (p < stop && *p != ',' && *p != '"' && *p != '\r' && *p != '\n')
          p++;
        g_string_append_len (buf, start, p - start);
        r->pos = p - r->buf;
      }
    }
  if (any)
    NEXT_FIELD ();
  return any;
#undef NEXT_FIELD
}

typedef struct
{
  gint64  count;
  char    head[65];
} DeviceSeen;

/* A ballot from the scanner: exactly the 17 members, each of its type, then
 * ka_ballot_validate(); as ka_ballot_new_from_json() reads it. */
static gboolean
ballot_from_object (const KaJsonFlatObject *o,
                    KaBallot               *b)
{
  static const char * const strings[] = {
    "ballot_id", "device_id", "session_id", "pack_id", "prompt_id", "response_a",
    "response_b", "shown_at", "voted_at", "ui_language", "prev_hash", "hash",
  };
  /* Where ballots.jsonl has them (ka_ballot_to_json() order). */
  static const guint at[] = { 0, 1, 2, 4, 5, 6, 7, 9, 10, 13, 15, 16 };
  char **fields[] = {
    &b->ballot_id, &b->device_id, &b->session_id, &b->pack_id, &b->prompt_id,
    &b->response_a, &b->response_b, &b->shown_at, &b->voted_at, &b->ui_language,
    &b->prev_hash, &b->hash,
  };
  const KaJsonMember *m;

  if (o->n_members != 17)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    {
      const char *s = ka_json_flat_object_get_string (o, strings[i], at[i]);

      if (s == NULL)
        return FALSE;
      *fields[i] = (char *) s;
    }
  if ((m = ka_json_flat_object_get_at (o, "seq", 3)) == NULL || m->type != KA_JSON_INT)
    return FALSE;
  b->seq = m->int_value;
  if ((m = ka_json_flat_object_get_at (o, "decision_ms", 11)) == NULL || m->type != KA_JSON_INT)
    return FALSE;
  b->decision_ms = m->int_value;
  if ((m = ka_json_flat_object_get_at (o, "identity_flag", 14)) == NULL ||
      (m->type != KA_JSON_TRUE && m->type != KA_JSON_FALSE))
    return FALSE;
  b->identity_flag = m->type == KA_JSON_TRUE;
  if (!ka_winner_from_string (ka_json_flat_object_get_string (o, "winner", 8), &b->winner) ||
      !ka_mode_from_string (ka_json_flat_object_get_string (o, "mode", 12), &b->mode))
    return FALSE;
  return ka_ballot_validate (b, TRUE, NULL);
}

/* The expected value of ballots.csv column @c (as _ka_export_ballot_fields()). */
static const char *
csv_expected (const KaBallot *b,
              guint           c,
              const char     *category,
              const char     *model_a,
              const char     *model_b,
              char           *intbuf)
{
  switch (c)
    {
    case 0: return b->ballot_id;
    case 1: return b->device_id;
    case 2: return b->session_id;
    case 3: g_snprintf (intbuf, 24, "%" G_GINT64_FORMAT, b->seq); return intbuf;
    case 4: return b->pack_id;
    case 5: return b->prompt_id;
    case 6: return category;
    case 7: return b->response_a;
    case 8: return b->response_b;
    case 9: return model_a;
    case 10: return model_b;
    case 11: return ka_winner_to_string (b->winner);
    case 12: return b->shown_at;
    case 13: return b->voted_at;
    case 14: g_snprintf (intbuf, 24, "%" G_GINT64_FORMAT, b->decision_ms); return intbuf;
    case 15: return ka_mode_to_string (b->mode);
    case 16: return b->ui_language;
    case 17: return b->identity_flag ? "true" : "false";
    case 18: return b->prev_hash;
    case 19: return b->hash;
    default: g_assert_not_reached ();
    }
}

typedef struct
{
  GPtrArray        *packs;
  GHashTable       *excluded;   /* ballot_id (borrowed from the manifest) */
  Reader            jsonl;
  Reader            csv;
  Reader            fastchat;
  GString          *line;
  GString          *battle_line;
  GString          *csv_buf;
  GString          *scratch;
  KaJsonFlatObject  ballot_obj;
  KaJsonFlatObject  battle_obj;
  KaVoteLog        *log;
  GHashTable       *devices;    /* device_id → DeviceSeen */
  char             *prev_device;
  gint64            prev_seq;
  char              prev_hash[65];
  gboolean          battles_open;   /* a battle line ended with ',' */
  guint             n_battles;
} Stream;

/* The battle of @b, from the next line of battles-fastchat.json. */
static gboolean
check_battle (Stream         *s,
              const KaBallot *b,
              gboolean        revealed,
              const char     *pack_model_a,
              const char     *pack_model_b,
              const char    **model_a,
              const char    **model_b,
              const char    **category)
{
  const KaBallot *ballot = b;
  const char *ma, *mb, *cat, *winner_text, *mode;
  const KaJsonMember *tm;
  KaWinner w;
  gsize len;
  gint64 time_us = G_MININT64;

  if (!reader_line (&s->fastchat, s->battle_line))
    return FALSE;
  len = s->battle_line->len;
  if (s->n_battles > 0 && !s->battles_open)
    return FALSE;
  if (len > 0 && s->battle_line->str[len - 1] == ',')
    {
      s->battles_open = TRUE;
      len--;
    }
  else
    s->battles_open = FALSE;
  if (!ka_json_scan_flat_object (&s->battle_obj, s->battle_line->str, len))
    return FALSE;
  s->n_battles++;

  if (g_strcmp0 (ka_json_flat_object_get_string (&s->battle_obj, "ballot_id", 9),
                 ballot->ballot_id) != 0)
    return FALSE;
  winner_text = ka_json_flat_object_get_string (&s->battle_obj, "winner", 3);
  if (!ka_export_winner_from_fastchat (winner_text, &w) || w != ballot->winner)
    return FALSE;
  if (g_strcmp0 (ka_json_flat_object_get_string (&s->battle_obj, "question_id", 0),
                 ballot->prompt_id) != 0)
    return FALSE;
  tm = ka_json_flat_object_get_at (&s->battle_obj, "tstamp", 8);
  if (tm == NULL || (tm->type != KA_JSON_INT && tm->type != KA_JSON_DOUBLE) ||
      fabs (tm->double_value - _ka_export_tstamp_of (ballot)) > 1e-3)
    return FALSE;
  mode = ka_json_flat_object_get_string (&s->battle_obj, "mode", 12);
  if (g_strcmp0 (mode, ka_mode_to_string (ballot->mode)) != 0)
    return FALSE;

  ma = ka_json_flat_object_get_string (&s->battle_obj, "model_a", 1);
  mb = ka_json_flat_object_get_string (&s->battle_obj, "model_b", 2);
  cat = ka_json_flat_object_get_string (&s->battle_obj, "category", 11);
  if (revealed && (g_strcmp0 (ma, pack_model_a) != 0 || g_strcmp0 (mb, pack_model_b) != 0))
    return FALSE;

  /* The vote, as ka_export_load_fastchat() reads it for tally.csv. */
  if (ma == NULL || ma[0] == '\0' || mb == NULL || mb[0] == '\0')
    return FALSE;
  if (isfinite (tm->double_value))
    time_us = (gint64) llround (tm->double_value * G_USEC_PER_SEC);
  if (!ka_vote_log_add (s->log, ma, mb, w, time_us, cat, mode))
    return FALSE;

  *model_a = ma;
  *model_b = mb;
  *category = cat;
  return TRUE;
}

static gboolean
check_csv_row (Stream         *s,
               const KaBallot *b,
               gboolean        derived_known,
               const char     *category,
               const char     *model_a,
               const char     *model_b)
{
  gsize starts[N_COLUMNS];
  guint n;
  char intbuf[24];

  if (!reader_csv_record (&s->csv, s->csv_buf, starts, N_COLUMNS, &n) || n != N_COLUMNS)
    return FALSE;
  for (guint c = 0; c < N_COLUMNS; c++)
    {
      const char *got = s->csv_buf->str + starts[c];
      const char *want;

      if (!derived_known && (c == COL_CATEGORY || c == COL_MODEL_A || c == COL_MODEL_B))
        continue;
      want = csv_expected (b, c, category, model_a, model_b, intbuf);
      if (strcmp (got, want != NULL ? want : "") != 0)
        return FALSE;
    }
  return TRUE;
}

static gboolean
stream_ballots (Stream *s)
{
  while (reader_line (&s->jsonl, s->line))
    {
      KaBallot b = { 0, };
      DeviceSeen *seen;
      const char *ma = NULL, *mb = NULL, *category = NULL;
      gboolean derived_known = FALSE;
      int order;

      if (!ka_json_scan_flat_object (&s->ballot_obj, s->line->str, s->line->len) ||
          !ballot_from_object (&s->ballot_obj, &b) ||
          !_ka_export_ballot_hash_ok (&b, s->scratch))
        return FALSE;

      /* Strictly in (device, seq) order, each chain from seq 1 and the genesis hash. */
      order = s->prev_device == NULL ? 1 : strcmp (b.device_id, s->prev_device);
      if (order < 0)
        return FALSE;
      if (order > 0)
        {
          if (g_hash_table_contains (s->devices, b.device_id) || b.seq != 1 ||
              strcmp (b.prev_hash, KA_BALLOT_GENESIS_HASH) != 0)
            return FALSE;
          g_free (s->prev_device);
          s->prev_device = g_strdup (b.device_id);
          seen = g_new0 (DeviceSeen, 1);
          g_hash_table_insert (s->devices, g_strdup (b.device_id), seen);
        }
      else
        {
          if (b.seq != s->prev_seq + 1 || strcmp (b.prev_hash, s->prev_hash) != 0)
            return FALSE;
          seen = g_hash_table_lookup (s->devices, b.device_id);
        }
      s->prev_seq = b.seq;
      g_strlcpy (s->prev_hash, b.hash, sizeof s->prev_hash);
      seen->count++;
      g_strlcpy (seen->head, b.hash, sizeof seen->head);

      if (s->packs != NULL &&
          _ka_export_reveal (s->packs, &b, &ma, &mb, &category, NULL) == REVEAL_OK)
        derived_known = TRUE;

      if (!g_hash_table_contains (s->excluded, b.ballot_id))
        {
          const char *bma, *bmb, *bcat;

          if (!check_battle (s, &b, derived_known, ma, mb, &bma, &bmb, &bcat))
            return FALSE;
          if (!derived_known)
            {
              ma = bma;
              mb = bmb;
              category = bcat;
              derived_known = TRUE;
            }
        }

      if (!check_csv_row (s, &b, derived_known, category, ma, mb))
        return FALSE;
    }
  /* Every file ends together: no line after the last ballot, no unfinished line. */
  return s->line->len == 0 && reader_at_end (&s->jsonl) && reader_at_end (&s->csv);
}

static gboolean
stream_files (Stream     *s,
              const char *dir)
{
  static const char header[] =
    UTF8_BOM "ballot_id,device_id,session_id,seq,pack_id,prompt_id,category,response_a,"
    "response_b,model_a,model_b,winner,shown_at,voted_at,decision_ms,mode,ui_language,"
    "identity_flag,prev_hash,hash";

  if (!reader_open (&s->jsonl, dir, KA_EXPORT_BALLOTS_JSONL) ||
      !reader_open (&s->csv, dir, KA_EXPORT_BALLOTS_CSV) ||
      !reader_open (&s->fastchat, dir, KA_EXPORT_FASTCHAT))
    return FALSE;
  if (!reader_line (&s->csv, s->line) || strcmp (s->line->str, header) != 0)
    return FALSE;
  if (!reader_line (&s->fastchat, s->line) || strcmp (s->line->str, "[") != 0)
    return FALSE;
  if (!stream_ballots (s))
    return FALSE;
  /* The battles close with "]" after one without a comma, or at once if there is none. */
  if (s->battles_open || !reader_line (&s->fastchat, s->line) || strcmp (s->line->str, "]") != 0)
    return FALSE;
  return reader_at_end (&s->fastchat);
}

static const char *
object_string (JsonObject *o,
               const char *name)
{
  return o != NULL ? _ka_export_get_string_member (o, name) : NULL;
}

/* The manifest's devices agree with what was read: same set, counts and chain heads. */
static gboolean
check_devices (JsonObject *manifest,
               GHashTable *devices)
{
  JsonNode *node = json_object_get_member (manifest, "devices");
  JsonArray *list;
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  list = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *e = json_array_get_element (list, i);
      JsonObject *dev = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e) : NULL;
      const char *id = object_string (dev, "device_id");
      JsonNode *count = dev != NULL ? json_object_get_member (dev, "count") : NULL;
      DeviceSeen *seen;

      if (id == NULL || count == NULL || !JSON_NODE_HOLDS_VALUE (count) ||
          json_node_get_value_type (count) != G_TYPE_INT64 ||
          !g_hash_table_add (listed, (gpointer) id))
        return FALSE;
      seen = g_hash_table_lookup (devices, id);
      if (seen == NULL || seen->count != json_node_get_int (count) ||
          g_strcmp0 (seen->head, object_string (dev, "chain_head")) != 0)
        return FALSE;
    }
  return g_hash_table_size (listed) == g_hash_table_size (devices);
}

static gboolean
audit_stream (const char *dir,
              GPtrArray  *packs,
              Stream     *s)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *manifest_path = g_build_filename (dir, KA_EXPORT_MANIFEST, NULL);
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GDir) d = NULL;
  g_autofree char *tally_path = NULL;
  g_autofree char *tally = NULL;
  g_autofree char *want_tally = NULL;
  g_autofree char *tally_sha = NULL;
  gsize tally_len = 0;
  JsonObject *manifest, *t;
  JsonNode *node;
  JsonArray *files, *excluded;
  KaRatingOptions options;
  const char *name;
  const char *data_files[] = {
    KA_EXPORT_BALLOTS_CSV, KA_EXPORT_BALLOTS_JSONL, KA_EXPORT_FASTCHAT, KA_EXPORT_TALLY_CSV,
  };
  const char *sha[G_N_ELEMENTS (data_files)] = { NULL, };

  if (!json_parser_load_from_mapped_file (parser, manifest_path, NULL) ||
      (node = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  manifest = json_node_get_object (node);
  if (g_strcmp0 (object_string (manifest, "format"), KA_EXPORT_FORMAT) != 0)
    return FALSE;

  /* The files: the four data files, each listed once, and nothing else in the folder. */
  node = json_object_get_member (manifest, "files");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  files = json_node_get_array (node);
  g_hash_table_add (listed, (gpointer) KA_EXPORT_MANIFEST);
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonNode *e = json_array_get_element (files, i);
      JsonObject *f = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e) : NULL;
      const char *fname = object_string (f, "name");
      guint k;

      if (fname == NULL || !g_hash_table_add (listed, (gpointer) fname))
        return FALSE;
      for (k = 0; k < G_N_ELEMENTS (data_files); k++)
        if (g_str_equal (fname, data_files[k]))
          break;
      if (k == G_N_ELEMENTS (data_files) || (sha[k] = object_string (f, "sha256")) == NULL)
        return FALSE;
    }
  for (guint k = 0; k < G_N_ELEMENTS (data_files); k++)
    if (sha[k] == NULL)
      return FALSE;
  d = g_dir_open (dir, 0, NULL);
  if (d == NULL)
    return FALSE;
  while ((name = g_dir_read_name (d)) != NULL)
    if (!g_hash_table_contains (listed, name))
      return FALSE;

  node = json_object_get_member (manifest, "excluded");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  excluded = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (excluded); i++)
    {
      JsonNode *e = json_array_get_element (excluded, i);
      const char *id = object_string (JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e) : NULL,
                                      "ballot_id");

      if (id == NULL)
        return FALSE;
      g_hash_table_add (s->excluded, (gpointer) id);
    }

  s->packs = packs;
  if (!stream_files (s, dir))
    return FALSE;
  if (g_strcmp0 (reader_sha256 (&s->csv), sha[0]) != 0 ||
      g_strcmp0 (reader_sha256 (&s->jsonl), sha[1]) != 0 ||
      g_strcmp0 (reader_sha256 (&s->fastchat), sha[2]) != 0)
    return FALSE;
  if (!check_devices (manifest, s->devices))
    return FALSE;

  /* tally.csv recomputes from the battles, with the manifest's rounds and seed. */
  tally_path = g_build_filename (dir, KA_EXPORT_TALLY_CSV, NULL);
  if (!g_file_get_contents (tally_path, &tally, &tally_len, NULL))
    return FALSE;
  tally_sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) tally, tally_len);
  if (g_strcmp0 (tally_sha, sha[3]) != 0)
    return FALSE;
  node = json_object_get_member (manifest, "tally");
  t = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  ka_rating_options_init (&options);
  if (t != NULL)
    {
      options.bootstrap_rounds = (guint) json_object_get_int_member_with_default (t, "bootstrap_rounds", KA_RATING_DEFAULT_BOOTSTRAP);
      options.seed = (guint64) json_object_get_int_member_with_default (t, "seed", 0);
    }
  want_tally = _ka_export_tally_csv_from_log (s->log, &options, NULL);
  return want_tally != NULL && strlen (want_tally) == tally_len &&
         memcmp (want_tally, tally, tally_len) == 0;
}

/**
 * _ka_export_audit_stream:
 * @dir: an export directory
 * @packs: (nullable): the open packs, as for ka_export_audit()
 *
 * Returns: %TRUE if the export is intact (ka_export_audit() would find no problem);
 *   %FALSE if it may not be, and the full audit must look
 */
gboolean
_ka_export_audit_stream (const char *dir,
                         GPtrArray  *packs)
{
  Stream s = { 0, };
  gboolean ok;

  s.excluded = g_hash_table_new (g_str_hash, g_str_equal);
  s.devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  s.line = g_string_sized_new (2048);
  s.battle_line = g_string_sized_new (2048);
  s.csv_buf = g_string_sized_new (2048);
  s.scratch = g_string_sized_new (1024);
  s.log = ka_vote_log_new ();
  ka_json_flat_object_init (&s.ballot_obj);
  ka_json_flat_object_init (&s.battle_obj);

  ok = audit_stream (dir, packs, &s);

  reader_clear (&s.jsonl);
  reader_clear (&s.csv);
  reader_clear (&s.fastchat);
  g_hash_table_unref (s.excluded);
  g_hash_table_unref (s.devices);
  g_string_free (s.line, TRUE);
  g_string_free (s.battle_line, TRUE);
  g_string_free (s.csv_buf, TRUE);
  g_string_free (s.scratch, TRUE);
  ka_vote_log_unref (s.log);
  ka_json_flat_object_clear (&s.ballot_obj);
  ka_json_flat_object_clear (&s.battle_obj);
  g_free (s.prev_device);
  return ok;
}
