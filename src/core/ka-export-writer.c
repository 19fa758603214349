/* ka-export-writer.c: ballots.csv, ballots.jsonl, battles-fastchat.json, tally.csv and manifest.json
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One pass over the ballots in chain order (device, then seq): each ballot goes straight
 * to the three files (written through a buffer to a temporary name, hashed as written,
 * renamed when complete), to the vote log of tally.csv, and to its device's running
 * chain check. Nothing per ballot is kept but the vote (16 bytes in KaVoteLog), so memory
 * does not grow with the count; no JSON tree is built per ballot (ka-json-writer.c writes
 * the bytes JsonGenerator would).
 */

#define G_LOG_DOMAIN "ka-export"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ka-export.h"
#include "ka-ballot-cursor.h"
#include "ka-export-private.h"
#include "ka-json-writer.h"

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

/* Days from 1970-01-01 to @y-@m-@d of the proleptic Gregorian calendar (H. Hinnant's
 * days_from_civil). */
static gint64
days_from_civil (gint64 y,
                 guint  m,
                 guint  d)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static gboolean
digits (const char *s,
        guint       n,
        guint      *out)
{
  guint v = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
      v = v * 10 + (guint) (s[i] - '0');
    }
  *out = v;
  return TRUE;
}

/* `voted_at` in Unix seconds. The ballots' own form (`YYYY-MM-DDTHH:MM:SS.sssZ`, exactly
 * 24 bytes, a valid date) is read directly, as ka_export_parse_time() reads it, without
 * a GDateTime per ballot; anything else goes through ka_export_parse_time(). */
double
_ka_export_tstamp_of (const KaBallot *b)
{
  const char *t = b->voted_at;
  guint y, mo, d, h, mi, s, ms;
  gint64 us;

  if (t != NULL && strlen (t) == 24 && t[4] == '-' && t[7] == '-' && t[10] == 'T' &&
      t[13] == ':' && t[16] == ':' && t[19] == '.' && t[23] == 'Z' &&
      digits (t, 4, &y) && digits (t + 5, 2, &mo) && digits (t + 8, 2, &d) &&
      digits (t + 11, 2, &h) && digits (t + 14, 2, &mi) && digits (t + 17, 2, &s) &&
      digits (t + 20, 3, &ms) && y >= 1 && mo >= 1 && mo <= 12 && d >= 1 &&
      d <= (guint) g_date_get_days_in_month ((GDateMonth) mo, (GDateYear) y) && h < 24 &&
      mi < 60 && s < 60)
    {
      gint64 secs = days_from_civil (y, mo, d) * 86400 + h * 3600 + mi * 60 + s;

      us = secs * G_USEC_PER_SEC + ms * 1000;
    }
  else
    us = ka_export_parse_time (t);

  return us == G_MININT64 ? 0.0 : (double) us / G_USEC_PER_SEC;
}

char *
_ka_export_tally_csv_from_log (KaVoteLog             *log,
                               const KaRatingOptions *options,
                               GError               **error)
{
  g_autoptr(KaRatingResult) result = NULL;
  g_autofree char *csv = NULL;
  GError *local = NULL;

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

char *
_ka_export_tally_csv_text (GBytes                *fastchat,
                           const KaRatingOptions *options,
                           GError               **error)
{
  g_autoptr(KaVoteLog) log = ka_vote_log_new ();

  if (!ka_export_load_fastchat (log, fastchat, error))
    return NULL;
  return _ka_export_tally_csv_from_log (log, options, error);
}

void
_ka_export_sha256_hex (struct sha256_ctx *ctx,
                       char              *hex)
{
  static const char digits[] = "0123456789abcdef";
  guint8 digest[SHA256_DIGEST_SIZE];

  sha256_digest (ctx, sizeof digest, digest);
  for (guint i = 0; i < SHA256_DIGEST_SIZE; i++)
    {
      hex[2 * i] = digits[digest[i] >> 4];
      hex[2 * i + 1] = digits[digest[i] & 0xf];
    }
  hex[2 * SHA256_DIGEST_SIZE] = '\0';
}

/* The canonical JSON of docs/ballots.md without `hash` (ka_ballot_canonical_json()),
 * written for the fixed members of a ballot: members in byte order of their names. */
static void
canonical_string (GString    *out,
                  const char *str)
{
  const guchar *run, *p;

  if (str == NULL)
    {
      g_string_append_len (out, "null", 4);
      return;
    }
  g_string_append_c (out, '"');
  run = (const guchar *) str;
  for (p = run; *p != '\0'; p++)
    {
      if (G_LIKELY (*p >= 0x20 && *p != '"' && *p != '\\'))
        continue;
      g_string_append_len (out, (const char *) run, p - run);
      run = p + 1;
      if (*p == '"')
        g_string_append_len (out, "\\\"", 2);
      else if (*p == '\\')
        g_string_append_len (out, "\\\\", 2);
      else
        g_string_append_printf (out, "\\u%04x", *p);
    }
  g_string_append_len (out, (const char *) run, p - run);
  g_string_append_c (out, '"');
}

gboolean
_ka_export_ballot_hash_ok (const KaBallot *b,
                           GString        *scratch)
{
  struct sha256_ctx sha;
  char hex[65];

  if (b->hash == NULL)
    return FALSE;

  g_string_truncate (scratch, 0);
  g_string_append (scratch, "{\"ballot_id\":");
  canonical_string (scratch, b->ballot_id);
  g_string_append (scratch, ",\"decision_ms\":");
  ka_json_append_int (scratch, b->decision_ms);
  g_string_append (scratch, ",\"device_id\":");
  canonical_string (scratch, b->device_id);
  g_string_append (scratch, ",\"identity_flag\":");
  g_string_append (scratch, b->identity_flag ? "true" : "false");
  g_string_append (scratch, ",\"mode\":");
  canonical_string (scratch, ka_mode_to_string (b->mode));
  g_string_append (scratch, ",\"pack_id\":");
  canonical_string (scratch, b->pack_id);
  g_string_append (scratch, ",\"prev_hash\":");
  canonical_string (scratch, b->prev_hash);
  g_string_append (scratch, ",\"prompt_id\":");
  canonical_string (scratch, b->prompt_id);
  g_string_append (scratch, ",\"response_a\":");
  canonical_string (scratch, b->response_a);
  g_string_append (scratch, ",\"response_b\":");
  canonical_string (scratch, b->response_b);
  g_string_append (scratch, ",\"seq\":");
  ka_json_append_int (scratch, b->seq);
  g_string_append (scratch, ",\"session_id\":");
  canonical_string (scratch, b->session_id);
  g_string_append (scratch, ",\"shown_at\":");
  canonical_string (scratch, b->shown_at);
  g_string_append (scratch, ",\"ui_language\":");
  canonical_string (scratch, b->ui_language);
  g_string_append (scratch, ",\"voted_at\":");
  canonical_string (scratch, b->voted_at);
  g_string_append (scratch, ",\"winner\":");
  canonical_string (scratch, ka_winner_to_string (b->winner));
  g_string_append_c (scratch, '}');

  sha256_init (&sha);
  sha256_update (&sha, scratch->len, (const guint8 *) scratch->str);
  _ka_export_sha256_hex (&sha, hex);
  return strcmp (hex, b->hash) == 0;
}

/* ballots.csv: one field, quoted when it holds a comma, a quote or a line break. */
static void
csv_field (GString    *out,
           const char *s)
{
  if (s != NULL)
    csv_append (out, s);
  g_string_append_c (out, ',');
}

static void
csv_int_field (GString *out,
               gint64   value)
{
  ka_json_append_int (out, value);
  g_string_append_c (out, ',');
}

/* One output file: written through a buffer to a temporary name in the export directory,
 * hashed as it is written, flushed to disk and renamed when complete. */
typedef struct
{
  const char *name;
  char       *tmp_path;
  FILE       *file;
  struct sha256_ctx sha;
  guint64     bytes;
} OutFile;

#define OUT_BUFFER_BYTES (1 << 20)

static gboolean
io_failed (const char  *path,
           int          saved,
           GError     **error)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
               _("Cannot write “%s”: %s"), path, g_strerror (saved));
  return FALSE;
}

static gboolean
out_open (OutFile     *o,
          const char  *dir,
          const char  *name,
          GError     **error)
{
  g_autofree char *template = g_strdup_printf (".%s.XXXXXX", name);
  int fd;

  o->name = name;
  o->tmp_path = g_build_filename (dir, template, NULL);
  fd = g_mkstemp_full (o->tmp_path, O_WRONLY, 0644);
  if (fd < 0)
    {
      int saved = errno;

      g_clear_pointer (&o->tmp_path, g_free);
      return io_failed (name, saved, error);
    }
  o->file = fdopen (fd, "wb");
  if (o->file == NULL)
    {
      int saved = errno;

      close (fd);
      return io_failed (name, saved, error);
    }
  setvbuf (o->file, NULL, _IOFBF, OUT_BUFFER_BYTES);
  sha256_init (&o->sha);
  o->bytes = 0;
  return TRUE;
}

static gboolean
out_write (OutFile     *o,
           const char  *data,
           gsize        len,
           GError     **error)
{
  if (len > 0 && fwrite (data, 1, len, o->file) != len)
    return io_failed (o->name, errno, error);
  sha256_update (&o->sha, len, (const guint8 *) data);
  o->bytes += len;
  return TRUE;
}

static void
add_file_entry (JsonBuilder *files,
                const char  *name,
                const char  *sha,
                guint64      bytes)
{
  json_builder_begin_object (files);
  json_builder_set_member_name (files, "name");
  json_builder_add_string_value (files, name);
  json_builder_set_member_name (files, "sha256");
  json_builder_add_string_value (files, sha);
  json_builder_set_member_name (files, "bytes");
  json_builder_add_int_value (files, (gint64) bytes);
  json_builder_end_object (files);
}

/* Flushes to disk (as G_FILE_SET_CONTENTS_CONSISTENT did) and takes the final name. */
static gboolean
out_commit (OutFile      *o,
            const char   *dir,
            JsonBuilder  *files,
            GError      **error)
{
  g_autofree char *path = g_build_filename (dir, o->name, NULL);
  FILE *file = g_steal_pointer (&o->file);

  if (fflush (file) != 0 || fsync (fileno (file)) != 0)
    {
      int saved = errno;

      fclose (file);
      return io_failed (o->name, saved, error);
    }
  if (fclose (file) != 0)
    return io_failed (o->name, errno, error);
  if (g_rename (o->tmp_path, path) != 0)
    return io_failed (o->name, errno, error);
  g_clear_pointer (&o->tmp_path, g_free);
  {
    char hex[65];

    _ka_export_sha256_hex (&o->sha, hex);
    add_file_entry (files, o->name, hex, o->bytes);
  }
  return TRUE;
}

static void
out_clear (OutFile *o)
{
  if (o->file != NULL)
    fclose (g_steal_pointer (&o->file));
  if (o->tmp_path != NULL)
    g_unlink (o->tmp_path);
  g_clear_pointer (&o->tmp_path, g_free);
}

/* Where the ballots come from, in (device, seq) order. */
typedef gboolean (*NextFunc) (gpointer         source,
                              const KaBallot **ballot,
                              GError         **error);
/* One device's whole chain, for ka_ballot_chain_verify()'s message on a broken chain. */
typedef GPtrArray *(*ChainFunc) (gpointer     source,
                                 const char  *device_id,
                                 GError     **error);

typedef struct
{
  GPtrArray       *packs;
  const char      *dir;
  OutFile          csv;
  OutFile          jsonl;
  OutFile          fastchat;
  GString         *line;
  GString         *scratch;
  KaVoteLog       *log;
  JsonBuilder     *excluded;
  JsonBuilder     *devices;
  guint            n_ballots;
  guint            n_battles;

  /* the device being written: its running chain check (ka_ballot_chain_verify()) */
  char            *device_id;
  gint64           count;
  char             last_hash[65];
  gboolean         chain_ok;
} Writer;

static void
writer_clear (Writer *w)
{
  out_clear (&w->csv);
  out_clear (&w->jsonl);
  out_clear (&w->fastchat);
  if (w->line != NULL)
    g_string_free (g_steal_pointer (&w->line), TRUE);
  if (w->scratch != NULL)
    g_string_free (g_steal_pointer (&w->scratch), TRUE);
  g_clear_pointer (&w->log, ka_vote_log_unref);
  g_clear_object (&w->excluded);
  g_clear_object (&w->devices);
  g_clear_pointer (&w->device_id, g_free);
}

/* Ends the current device's entry of the manifest. */
static gboolean
finish_device (Writer     *w,
               ChainFunc   chain_func,
               gpointer    source,
               GError    **error)
{
  if (w->device_id == NULL)
    return TRUE;

  json_builder_begin_object (w->devices);
  json_builder_set_member_name (w->devices, "device_id");
  json_builder_add_string_value (w->devices, w->device_id);
  json_builder_set_member_name (w->devices, "count");
  json_builder_add_int_value (w->devices, w->count);
  json_builder_set_member_name (w->devices, "chain_head");
  json_builder_add_string_value (w->devices, w->last_hash);
  if (!w->chain_ok)
    {
      /* Rare (a store or file that was tampered with): read the whole chain once more so
       * that the message is the one ka_ballot_chain_verify() gives, naming ballots that
       * may come after the break. */
      g_autoptr(GPtrArray) chain = chain_func (source, w->device_id, error);
      GError *chain_error = NULL;

      if (chain == NULL)
        return FALSE;
      if (!ka_ballot_chain_verify (chain, NULL, &chain_error))
        {
          json_builder_set_member_name (w->devices, "chain_error");
          json_builder_add_string_value (w->devices, chain_error->message);
          g_error_free (chain_error);
        }
    }
  json_builder_end_object (w->devices);
  g_clear_pointer (&w->device_id, g_free);
  return TRUE;
}

static void
append_jsonl_line (GString        *out,
                   const KaBallot *b)
{
  g_string_append_c (out, '{');
  ka_json_append_member (out, TRUE, "ballot_id");
  ka_json_append_string (out, b->ballot_id);
  ka_json_append_member (out, FALSE, "device_id");
  ka_json_append_string (out, b->device_id);
  ka_json_append_member (out, FALSE, "session_id");
  ka_json_append_string (out, b->session_id);
  ka_json_append_member (out, FALSE, "seq");
  ka_json_append_int (out, b->seq);
  ka_json_append_member (out, FALSE, "pack_id");
  ka_json_append_string (out, b->pack_id);
  ka_json_append_member (out, FALSE, "prompt_id");
  ka_json_append_string (out, b->prompt_id);
  ka_json_append_member (out, FALSE, "response_a");
  ka_json_append_string (out, b->response_a);
  ka_json_append_member (out, FALSE, "response_b");
  ka_json_append_string (out, b->response_b);
  ka_json_append_member (out, FALSE, "winner");
  ka_json_append_string (out, ka_winner_to_string (b->winner));
  ka_json_append_member (out, FALSE, "shown_at");
  ka_json_append_string (out, b->shown_at);
  ka_json_append_member (out, FALSE, "voted_at");
  ka_json_append_string (out, b->voted_at);
  ka_json_append_member (out, FALSE, "decision_ms");
  ka_json_append_int (out, b->decision_ms);
  ka_json_append_member (out, FALSE, "mode");
  ka_json_append_string (out, ka_mode_to_string (b->mode));
  ka_json_append_member (out, FALSE, "ui_language");
  ka_json_append_string (out, b->ui_language);
  ka_json_append_member (out, FALSE, "identity_flag");
  g_string_append (out, b->identity_flag ? "true" : "false");
  ka_json_append_member (out, FALSE, "prev_hash");
  ka_json_append_string (out, b->prev_hash);
  ka_json_append_member (out, FALSE, "hash");
  ka_json_append_string (out, b->hash);
  g_string_append_len (out, "}\n", 2);
}

static void
append_csv_row (GString        *out,
                const KaBallot *b,
                const char     *category,
                const char     *model_a,
                const char     *model_b)
{
  csv_field (out, b->ballot_id);
  csv_field (out, b->device_id);
  csv_field (out, b->session_id);
  csv_int_field (out, b->seq);
  csv_field (out, b->pack_id);
  csv_field (out, b->prompt_id);
  csv_field (out, category);
  csv_field (out, b->response_a);
  csv_field (out, b->response_b);
  csv_field (out, model_a);
  csv_field (out, model_b);
  csv_field (out, ka_winner_to_string (b->winner));
  csv_field (out, b->shown_at);
  csv_field (out, b->voted_at);
  csv_int_field (out, b->decision_ms);
  csv_field (out, ka_mode_to_string (b->mode));
  csv_field (out, b->ui_language);
  csv_field (out, b->identity_flag ? "true" : "false");
  csv_field (out, b->prev_hash);
  csv_field (out, b->hash);
  out->str[out->len - 1] = '\n';
}

/* One FastChat battle for a revealed ballot, as JsonGenerator wrote the JsonBuilder
 * object of earlier versions. */
static void
append_battle (GString        *out,
               const KaBallot *b,
               KaPack         *pack,
               const char     *model_a,
               const char     *model_b,
               const char     *category,
               guint           n_turns)
{
  g_string_append_c (out, '{');
  ka_json_append_member (out, TRUE, "question_id");
  ka_json_append_string (out, b->prompt_id);
  ka_json_append_member (out, FALSE, "model_a");
  ka_json_append_string (out, model_a);
  ka_json_append_member (out, FALSE, "model_b");
  ka_json_append_string (out, model_b);
  ka_json_append_member (out, FALSE, "winner");
  ka_json_append_string (out, ka_export_winner_to_fastchat (b->winner));
  ka_json_append_member (out, FALSE, "judge");
  g_string_append (out, "\"arena_user_");
  /* The device ID cannot hold a character to escape (ka_ballot_validate()), but the
   * escaping is the same either way: write it through the string writer. */
  {
    gsize at = out->len;

    ka_json_append_string (out, b->device_id);
    g_string_erase (out, at, 1);
  }
  ka_json_append_member (out, FALSE, "turn");
  ka_json_append_int (out, n_turns);
  ka_json_append_member (out, FALSE, "anony");
  g_string_append (out, "true");
  ka_json_append_member (out, FALSE, "language");
  ka_json_append_string (out, language_name (ka_pack_get_language (pack)));
  ka_json_append_member (out, FALSE, "tstamp");
  ka_json_append_double (out, _ka_export_tstamp_of (b));
  /* Our extensions: enough to join back to ballots.jsonl and to filter. */
  ka_json_append_member (out, FALSE, "ballot_id");
  ka_json_append_string (out, b->ballot_id);
  ka_json_append_member (out, FALSE, "pack_id");
  ka_json_append_string (out, b->pack_id);
  ka_json_append_member (out, FALSE, "category");
  ka_json_append_string (out, category);
  ka_json_append_member (out, FALSE, "mode");
  ka_json_append_string (out, ka_mode_to_string (b->mode));
  ka_json_append_member (out, FALSE, "decision_ms");
  ka_json_append_int (out, b->decision_ms);
  g_string_append_c (out, '}');
}

/* The vote of one battle, as ka_export_load_fastchat() reads it back from the file. */
static gboolean
add_vote (Writer          *w,
          const KaBallot  *b,
          const char      *model_a,
          const char      *model_b,
          const char      *category,
          GError         **error)
{
  double tstamp = _ka_export_tstamp_of (b);

  if (model_a[0] == '\0' || model_b[0] == '\0')
    {
      g_set_error (error, KA_EXPORT_ERROR, KA_EXPORT_ERROR_PARSE,
                   _("battle %u: “model_a” and “model_b” must be non-empty strings"),
                   w->n_battles);
      return FALSE;
    }
  if (!ka_vote_log_add (w->log, model_a, model_b, b->winner,
                        (gint64) llround (tstamp * G_USEC_PER_SEC), category,
                        ka_mode_to_string (b->mode)))
    {
      g_set_error (error, KA_EXPORT_ERROR, KA_EXPORT_ERROR_PARSE,
                   _("battle %u: a model cannot battle itself (“%s”)"), w->n_battles, model_a);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_ballot (Writer          *w,
              const KaBallot  *b,
              ChainFunc        chain_func,
              gpointer         source,
              GError         **error)
{
  const char *ma, *mb, *category;
  guint n_turns;
  RevealStatus status = _ka_export_reveal (w->packs, b, &ma, &mb, &category, &n_turns);
  const char *reason = NULL;

  /* The chain, as ka_ballot_chain_verify() checks it: seq 1, 2, …, each prev_hash the
   * hash before it, each hash recomputing from its ballot. */
  if (w->device_id == NULL || g_strcmp0 (w->device_id, b->device_id) != 0)
    {
      if (!finish_device (w, chain_func, source, error))
        return FALSE;
      w->device_id = g_strdup (b->device_id);
      w->count = 0;
      w->chain_ok = TRUE;
      g_strlcpy (w->last_hash, KA_BALLOT_GENESIS_HASH, sizeof w->last_hash);
    }
  if (w->chain_ok &&
      (b->ballot_id == NULL || b->prev_hash == NULL || b->hash == NULL ||
       b->seq != w->count + 1 || strcmp (b->prev_hash, w->last_hash) != 0 ||
       !_ka_export_ballot_hash_ok (b, w->scratch)))
    w->chain_ok = FALSE;
  w->count++;
  g_strlcpy (w->last_hash, b->hash != NULL ? b->hash : "", sizeof w->last_hash);
  w->n_ballots++;

  g_string_truncate (w->line, 0);
  append_jsonl_line (w->line, b);
  if (!out_write (&w->jsonl, w->line->str, w->line->len, error))
    return FALSE;

  g_string_truncate (w->line, 0);
  append_csv_row (w->line, b, category, ma, mb);
  if (!out_write (&w->csv, w->line->str, w->line->len, error))
    return FALSE;

  if (b->identity_flag)
    reason = "identity_flag";
  else if (status == REVEAL_UNKNOWN)
    reason = "unknown_response";
  else if (status == REVEAL_SEALED)
    reason = "sealed_pack";

  if (reason != NULL)
    {
      json_builder_begin_object (w->excluded);
      json_builder_set_member_name (w->excluded, "ballot_id");
      json_builder_add_string_value (w->excluded, b->ballot_id);
      json_builder_set_member_name (w->excluded, "reason");
      json_builder_add_string_value (w->excluded, reason);
      json_builder_end_object (w->excluded);
      return TRUE;
    }

  g_string_truncate (w->line, 0);
  g_string_append (w->line, w->n_battles > 0 ? ",\n" : "\n");
  append_battle (w->line, b, _ka_export_find_pack (w->packs, b->pack_id), ma, mb, category,
                 n_turns);
  w->n_battles++;
  if (!out_write (&w->fastchat, w->line->str, w->line->len, error))
    return FALSE;
  return add_vote (w, b, ma, mb, category, error);
}

static gboolean
write_export (const char            *dir,
              NextFunc               next,
              ChainFunc              chain_func,
              gpointer               source,
              GPtrArray             *packs,
              const KaRatingOptions *tally_options,
              guint                 *n_written,
              GError               **error)
{
  Writer w = { 0, };
  g_autoptr(JsonBuilder) manifest = json_builder_new ();
  g_autoptr(JsonBuilder) files = json_builder_new ();
  g_autoptr(GDir) d = NULL;
  g_autoptr(JsonNode) manifest_node = NULL;
  g_autofree char *tally = NULL;
  g_autofree char *manifest_text = NULL;
  g_autofree char *now = NULL;
  KaRatingOptions options;
  GError *local = NULL;
  gboolean ok = FALSE;

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

  w.packs = packs;
  w.dir = dir;
  w.line = g_string_sized_new (2048);
  w.scratch = g_string_sized_new (1024);
  w.log = ka_vote_log_new ();
  w.excluded = json_builder_new ();
  w.devices = json_builder_new ();
  json_builder_begin_array (files);
  json_builder_begin_array (w.excluded);
  json_builder_begin_array (w.devices);

  if (!out_open (&w.csv, dir, KA_EXPORT_BALLOTS_CSV, error) ||
      !out_open (&w.jsonl, dir, KA_EXPORT_BALLOTS_JSONL, error) ||
      !out_open (&w.fastchat, dir, KA_EXPORT_FASTCHAT, error))
    goto out;

  g_string_append (w.line, UTF8_BOM);
  for (guint c = 0; c < N_COLUMNS; c++)
    {
      if (c > 0)
        g_string_append_c (w.line, ',');
      g_string_append (w.line, _ka_export_csv_columns[c]);
    }
  g_string_append_c (w.line, '\n');
  if (!out_write (&w.csv, w.line->str, w.line->len, error) ||
      !out_write (&w.fastchat, "[", 1, error))
    goto out;

  for (;;)
    {
      const KaBallot *b = NULL;

      if (!next (source, &b, &local))
        {
          if (local != NULL)
            {
              g_propagate_error (error, local);
              goto out;
            }
          break;
        }
      if (!write_ballot (&w, b, chain_func, source, error))
        goto out;
    }
  if (!finish_device (&w, chain_func, source, error) ||
      !out_write (&w.fastchat, "\n]\n", 3, error))
    goto out;

  if (!out_commit (&w.csv, dir, files, error) ||
      !out_commit (&w.jsonl, dir, files, error) ||
      !out_commit (&w.fastchat, dir, files, error))
    goto out;

  tally = _ka_export_tally_csv_from_log (w.log, &options, error);
  if (tally == NULL)
    goto out;
  if (!write_file (dir, KA_EXPORT_TALLY_CSV, tally, strlen (tally), files, error))
    goto out;

  json_builder_end_array (files);
  json_builder_end_array (w.excluded);
  json_builder_end_array (w.devices);

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
  json_builder_add_int_value (manifest, w.n_ballots);
  json_builder_set_member_name (manifest, "battle_count");
  json_builder_add_int_value (manifest, w.n_battles);

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
  json_builder_add_value (manifest, json_builder_get_root (w.devices));
  json_builder_set_member_name (manifest, "excluded");
  json_builder_add_value (manifest, json_builder_get_root (w.excluded));
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

    ok = write_file (dir, KA_EXPORT_MANIFEST, with_nl, strlen (with_nl), NULL, error);
  }
  if (ok && n_written != NULL)
    *n_written = w.n_ballots;

out:
  writer_clear (&w);
  return ok;
}

/* Ballots from an array, sorted as ka_export_write() always sorted them. */
typedef struct
{
  GPtrArray *sorted;
  guint      next;
} ArraySource;

static gboolean
array_next (gpointer         source,
            const KaBallot **ballot,
            GError         **error)
{
  ArraySource *a = source;

  if (a->next >= a->sorted->len)
    return FALSE;
  *ballot = g_ptr_array_index (a->sorted, a->next++);
  return TRUE;
}

static GPtrArray *
array_chain (gpointer     source,
             const char  *device_id,
             GError     **error)
{
  ArraySource *a = source;
  GPtrArray *chain = g_ptr_array_new ();

  for (guint i = 0; i < a->sorted->len; i++)
    {
      const KaBallot *b = g_ptr_array_index (a->sorted, i);

      if (g_strcmp0 (b->device_id, device_id) == 0)
        g_ptr_array_add (chain, (gpointer) b);
    }
  return chain;
}

static gboolean
cursor_next (gpointer         source,
             const KaBallot **ballot,
             GError         **error)
{
  return ka_ballot_cursor_next (source, ballot, error);
}

static GPtrArray *
cursor_chain (gpointer     source,
              const char  *device_id,
              GError     **error)
{
  return ka_ballot_cursor_list_device (source, device_id, error);
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
  ArraySource source;

  g_return_val_if_fail (dir != NULL, FALSE);
  g_return_val_if_fail (ballots != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  sorted = g_ptr_array_new ();
  for (guint i = 0; i < ballots->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (ballots, i));
  g_ptr_array_sort (sorted, _ka_export_compare_ballots);
  source.sorted = sorted;
  source.next = 0;
  return write_export (dir, array_next, array_chain, &source, packs, tally_options, NULL, error);
}

/**
 * ka_export_write_database:
 * @dir: the export directory; created if needed, and it must hold no file yet
 * @database_path: a K-AI Arena store, opened (and so migrated) with ka_store_open() before
 * @packs: (element-type KaPack) (nullable): open packs revealing the models
 * @tally_options: (nullable): as for ka_export_write()
 * @n_ballots: (out) (optional): how many ballots were written
 * @error: return location for an error
 *
 * Writes the same files as ka_export_write() for every ballot of the store, reading each
 * row once with a #KaBallotCursor (memory does not grow with the number of ballots).
 *
 * Returns: %TRUE on success; %FALSE with #KA_STORE_ERROR_SQLITE, a #GIOError or an error
 *   of ka_export_write()
 */
gboolean
ka_export_write_database (const char            *dir,
                          const char            *database_path,
                          GPtrArray             *packs,
                          const KaRatingOptions *tally_options,
                          guint                 *n_ballots,
                          GError               **error)
{
  g_autoptr(KaBallotCursor) cursor = NULL;

  g_return_val_if_fail (dir != NULL, FALSE);
  g_return_val_if_fail (database_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  cursor = ka_ballot_cursor_open (database_path, error);
  if (cursor == NULL)
    return FALSE;
  return write_export (dir, cursor_next, cursor_chain, cursor, packs, tally_options, n_ballots,
                       error);
}
