/* ka-fastchat-reader.c: streaming reader of FastChat battle files
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sources: FastChat's battle files, lm-sys/FastChat fastchat/serve/monitor/
 * clean_battle_data.py (a JSON array) and the Chatbot Arena `human.json` (JSON Lines);
 * RFC 8259 (JSON), JSON Lines (https://jsonlines.org/).
 *
 * ka_export_load_fastchat() reads a whole file into memory and builds a json-glib tree
 * per battle. This reader reads the file in chunks, one line (JSON Lines) or one element
 * (JSON array) at a time, reads each battle with the allocation-free ka_fastchat_scan()
 * and parses with json-glib only the battles the scanner leaves to it. Memory is one
 * chunk (1 MiB, or the longest line).
 *
 * It accepts exactly what ka_export_load_fastchat() accepts, with the same values. It does
 * not try to reproduce that function's error messages: on anything it is not sure about
 * (a file it cannot open, invalid UTF-8, invalid JSON, a battle json-glib reads but the
 * tally refuses, ballots rather than battles) it returns %FALSE, and the caller reads the
 * file with ka_export_detect_input() and ka_export_load_fastchat() instead, which report
 * the problem as they always did.
 */

#define G_LOG_DOMAIN "ka-fastchat-reader"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ka-export.h"
#include "ka-fastchat-reader.h"
#include "ka-fastchat-scanner.h"

#define CHUNK_SIZE (1 << 20)

typedef struct
{
  FILE    *file;
  char    *buf;
  gsize    cap;
  gsize    start;    /* first unconsumed byte */
  gsize    end;      /* end of the data read */
  gboolean eof;
  gboolean failed;
} Reader;

/* Reads more, keeping buf[start, end). Returns FALSE at the end of the file (or on an
 * error, which sets @failed). */
static gboolean
fill (Reader *r)
{
  size_t n;

  if (r->eof)
    return FALSE;
  if (r->start > 0)
    {
      memmove (r->buf, r->buf + r->start, r->end - r->start);
      r->end -= r->start;
      r->start = 0;
    }
  if (r->end == r->cap)
    {
      r->cap *= 2;
      r->buf = g_realloc (r->buf, r->cap);
    }
  n = fread (r->buf + r->end, 1, r->cap - r->end, r->file);
  r->end += n;
  if (n == 0)
    {
      r->eof = TRUE;
      r->failed = ferror (r->file) != 0;
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  KaBattleFunc         func;
  gpointer             data;
  KaFastchatReadStats *stats;
  JsonParser          *parser;
} Sink;

/* The member readers of ka-export.c's add_fastchat_object(). */
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

/* json-glib, for what the scanner left: accepts what add_fastchat_object() accepts. */
static gboolean
parse_record (Sink       *sink,
              const char *text,
              gsize       len)
{
  JsonNode *root;
  JsonObject *o;
  const char *a, *b, *w;
  KaWinner winner;
  double tstamp;
  gint64 time_us = G_MININT64;

  if (!g_utf8_validate (text, len, NULL))
    return FALSE;
  if (!json_parser_load_from_data (sink->parser, text, len, NULL))
    return FALSE;
  root = json_parser_get_root (sink->parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  o = json_node_get_object (root);
  a = get_string_member (o, "model_a");
  b = get_string_member (o, "model_b");
  w = get_string_member (o, "winner");
  if (a == NULL || a[0] == '\0' || b == NULL || b[0] == '\0')
    return FALSE;
  if (!ka_export_winner_from_fastchat (w, &winner))
    return FALSE;
  if (get_number_member (o, "tstamp", &tstamp) && isfinite (tstamp))
    time_us = (gint64) llround (tstamp * G_USEC_PER_SEC);

  sink->stats->parsed++;
  sink->stats->battles++;
  return sink->func (a, b, winner, time_us, get_string_member (o, "category"),
                     get_string_member (o, "mode"), sink->data);
}

/* One battle in text[0, len) of the (writable) buffer. */
static gboolean
read_record (Sink *sink,
             char *text,
             gsize len)
{
  KaFastchatFields f;

  if (!ka_fastchat_scan (text, len, &f))
    return parse_record (sink, text, len);

  /* Each string is followed by its closing quote, which is no longer needed. */
  ((char *) f.model_a)[f.model_a_len] = '\0';
  ((char *) f.model_b)[f.model_b_len] = '\0';
  if (f.category != NULL)
    ((char *) f.category)[f.category_len] = '\0';
  if (f.mode != NULL)
    ((char *) f.mode)[f.mode_len] = '\0';

  sink->stats->scanned++;
  sink->stats->battles++;
  return sink->func (f.model_a, f.model_b, f.winner, f.time_us, f.category, f.mode, sink->data);
}

/* Is the first object FastChat battles, by ka_export_detect_input()'s rule? */
static gboolean
is_fastchat (const char *text,
             gsize       len,
             gboolean    element)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GBytes) bytes = NULL;
  JsonObject *o;

  if (!element)
    {
      bytes = g_bytes_new (text, len);
      return ka_export_detect_input (bytes) == KA_INPUT_FASTCHAT;
    }
  parser = json_parser_new ();
  if (!g_utf8_validate (text, len, NULL) || !json_parser_load_from_data (parser, text, len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  o = json_node_get_object (json_parser_get_root (parser));
  if (json_object_has_member (o, "ballot_id") && json_object_has_member (o, "response_a"))
    return FALSE;
  return json_object_has_member (o, "model_a") && json_object_has_member (o, "winner");
}

static gboolean
read_lines (Reader *r,
            Sink   *sink)
{
  gboolean first = TRUE;

  for (;;)
    {
      char *line = r->buf + r->start;
      char *nl = memchr (line, '\n', r->end - r->start);
      char *stop, *s;

      if (nl == NULL && !r->eof)
        {
          fill (r);
          if (r->failed)
            return FALSE;
          continue;
        }
      if (r->start == r->end && r->eof)
        return TRUE;
      stop = nl != NULL ? nl : r->buf + r->end;
      s = line;
      while (s < stop && g_ascii_isspace (*s))
        s++;
      if (s < stop)
        {
          if (first && !is_fastchat (s, stop - s, FALSE))
            return FALSE;
          first = FALSE;
          if (!read_record (sink, s, stop - s))
            return FALSE;
        }
      r->start = (stop - r->buf) + (nl != NULL ? 1 : 0);
    }
}

static inline gboolean
is_json_ws (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Skips white space, reading more as needed; FALSE at the end of the file. */
static gboolean
skip_json_ws (Reader *r)
{
  for (;;)
    {
      while (r->start < r->end && is_json_ws (r->buf[r->start]))
        r->start++;
      if (r->start < r->end)
        return TRUE;
      if (!fill (r))
        return FALSE;
    }
}

/* The end of the object starting at buf[start] ('{'), or 0 if the data read so far does
 * not hold all of it. Only finds the boundary; ka_fastchat_scan() or json-glib validate. */
static gsize
object_end (const Reader *r)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = r->start; i < r->end; i++)
    {
      char c = r->buf[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        depth++;
      else if (c == '}' || c == ']')
        {
          if (--depth == 0)
            return i + 1;
        }
    }
  return 0;
}

static gboolean
read_array (Reader *r,
            Sink   *sink)
{
  gboolean first = TRUE;

  r->start++;   /* '[' */
  if (!skip_json_ws (r))
    return FALSE;
  if (r->buf[r->start] == ']')
    r->start++;
  else
    for (;;)
      {
        gsize stop;

        if (r->buf[r->start] != '{')
          return FALSE;
        while ((stop = object_end (r)) == 0)
          if (!fill (r))
            return FALSE;
        if (first && !is_fastchat (r->buf + r->start, stop - r->start, TRUE))
          return FALSE;
        first = FALSE;
        if (!read_record (sink, r->buf + r->start, stop - r->start))
          return FALSE;
        r->start = stop;
        if (!skip_json_ws (r))
          return FALSE;
        if (r->buf[r->start] == ']')
          {
            r->start++;
            break;
          }
        if (r->buf[r->start] != ',')
          return FALSE;
        r->start++;
        if (!skip_json_ws (r))
          return FALSE;
      }

  /* Only white space may follow. */
  return !skip_json_ws (r) && !r->failed;
}

/**
 * ka_fastchat_read_file:
 * @path: a FastChat battle file: JSON Lines (as the Chatbot Arena `human.json`) or a JSON
 *   array (as `clean_battle_*.json`), optionally with a UTF-8 byte-order mark
 * @func: called for every battle, in file order
 * @user_data: data for @func
 * @stats: (out caller-allocates) (optional): what was read, and how
 *
 * Reads the battles of @path as ka_export_load_fastchat() does — the same members, the
 * same values, the same order — but streaming: memory does not grow with the file.
 *
 * Returns: %TRUE if the whole file was read and @func took every battle; %FALSE if the
 *   file could not be read, is not FastChat battles (ka_export_detect_input()), holds
 *   anything ka_export_load_fastchat() would refuse, or @func refused a battle. Then the
 *   caller must read it with ka_export_detect_input() and ka_export_load_fastchat(),
 *   which give the exact error, and discard what @func received.
 */
gboolean
ka_fastchat_read_file (const char          *path,
                       KaBattleFunc         func,
                       gpointer             user_data,
                       KaFastchatReadStats *stats)
{
  Reader r = { 0, };
  KaFastchatReadStats local = { 0, };
  g_autoptr(JsonParser) parser = json_parser_new ();
  Sink sink = { func, user_data, stats != NULL ? stats : &local, parser };
  gboolean ok = FALSE;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  memset (sink.stats, 0, sizeof *sink.stats);
  r.file = g_fopen (path, "rb");
  if (r.file == NULL)
    return FALSE;
  r.cap = CHUNK_SIZE;
  r.buf = g_malloc (r.cap);

  fill (&r);
  if (r.failed)
    goto out;
  /* A byte-order mark, then white space (as ka-export.c's skip_bom_and_space()). */
  if (r.end >= 3 && memcmp (r.buf, "\xef\xbb\xbf", 3) == 0)
    r.start = 3;
  for (;;)
    {
      while (r.start < r.end && g_ascii_isspace (r.buf[r.start]))
        r.start++;
      if (r.start < r.end || !fill (&r))
        break;
    }
  if (r.failed || r.start == r.end)
    goto out;

  if (r.buf[r.start] == '[')
    ok = read_array (&r, &sink);
  else
    ok = read_lines (&r, &sink);
  ok = ok && !r.failed;

out:
  sink.stats->buffer_size = r.cap;
  g_free (r.buf);
  fclose (r.file);
  return ok;
}
