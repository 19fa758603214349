/* test-tally-input.c: the streaming FastChat reader and tally give what the whole-file path gives
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The reference is the path `tally --input` took before: ka_export_load_fastchat() (the
 * whole file, a json-glib tree per battle) into a KaVoteLog, then ka_rating_tally(). The
 * streaming path (ka_fastchat_read_file() into a KaRatingStream) must give the same
 * leaderboard byte for byte (compared as JSON text: ratings, intervals, online Elo,
 * matrices, warnings), and must refuse, for the whole-file path to report, everything
 * that path refuses.
 */

#define G_LOG_DOMAIN "test-tally-input"

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ka-export.h"
#include "ka-fastchat-reader.h"
#include "ka-fastchat-scanner.h"
#include "ka-rating.h"
#include "ka-rating-stream.h"

static char *tmp_dir;

static char *
write_tmp (const char *name,
           const char *contents,
           gssize      len)
{
  char *path = g_build_filename (tmp_dir, name, NULL);
  GError *error = NULL;

  g_assert_true (g_file_set_contents (path, contents, len, &error));
  g_assert_no_error (error);
  return path;
}

static char *
result_text (KaRatingResult *r)
{
  g_autoptr(JsonNode) node = ka_rating_result_to_json (r);
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

static gboolean
stream_add_cb (const char *model_a,
               const char *model_b,
               KaWinner    winner,
               gint64      time_us,
               const char *category,
               const char *mode,
               gpointer    user_data)
{
  return ka_rating_stream_add (user_data, model_a, model_b, winner, time_us, category, mode);
}

static gboolean
log_add_cb (const char *model_a,
            const char *model_b,
            KaWinner    winner,
            gint64      time_us,
            const char *category,
            const char *mode,
            gpointer    user_data)
{
  return ka_vote_log_add (user_data, model_a, model_b, winner, time_us, category, mode);
}

/* The whole-file path; NULL if it refuses the file. */
static char *
tally_whole_file (const char            *path,
                  const KaRatingFilter  *filter,
                  const KaRatingOptions *options)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(KaVoteLog) log = ka_vote_log_new ();
  g_autoptr(KaRatingResult) r = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  bytes = g_bytes_new_take (g_steal_pointer (&text), len);
  if (ka_export_detect_input (bytes) != KA_INPUT_FASTCHAT ||
      !ka_export_load_fastchat (log, bytes, &error))
    return NULL;
  r = ka_rating_tally (log, filter, options, NULL, &error);
  if (r == NULL)
    return g_strdup_printf ("error: %s", error->message);
  return result_text (r);
}

/* The streaming path, as `tally --input` runs it; NULL if it leaves the file to the
 * whole-file path. */
static char *
tally_stream (const char            *path,
              const KaRatingFilter  *filter,
              const KaRatingOptions *options,
              KaFastchatReadStats   *stats,
              gboolean              *sorted_again)
{
  g_autoptr(KaRatingStream) stream = ka_rating_stream_new (filter, options->online_k);
  g_autoptr(KaRatingResult) r = NULL;
  g_autoptr(GError) error = NULL;

  if (!ka_fastchat_read_file (path, stream_add_cb, stream, stats))
    return NULL;
  *sorted_again = ka_rating_stream_needs_order (stream);
  if (*sorted_again)
    {
      g_autoptr(KaVoteLog) log = ka_vote_log_new ();

      g_assert_true (ka_fastchat_read_file (path, log_add_cb, log, NULL));
      r = ka_rating_tally (log, filter, options, NULL, &error);
    }
  else
    r = ka_rating_stream_finish (stream, options, NULL, &error);
  if (r == NULL)
    return g_strdup_printf ("error: %s", error->message);
  return result_text (r);
}

static void
assert_same (const char            *path,
             const KaRatingFilter  *filter,
             const KaRatingOptions *options,
             KaFastchatReadStats   *stats,
             gboolean              *sorted_again)
{
  g_autofree char *whole = tally_whole_file (path, filter, options);
  g_autofree char *streamed = NULL;
  gboolean again = FALSE;

  streamed = tally_stream (path, filter, options, stats, &again);
  g_assert_nonnull (whole);
  g_assert_nonnull (streamed);
  g_assert_cmpstr (streamed, ==, whole);
  if (sorted_again != NULL)
    *sorted_again = again;
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

/* 26,919 real votes: the same leaderboard, every line read by the scanner, in a buffer
 * that does not grow with the file. */
static void
test_human (void)
{
  g_autofree char *path = find_human_json ();
  KaRatingOptions o;
  KaRatingFilter f;
  KaFastchatReadStats stats;
  gboolean again = TRUE;

  if (path == NULL)
    {
      g_test_skip ("chatbot_arena/human.json not found in tests/data nor KA_SHARED_DATA");
      return;
    }
  ka_rating_options_init (&o);
  o.bootstrap_rounds = 100;
  o.seed = 7;
  assert_same (path, NULL, &o, &stats, &again);
  g_assert_false (again);
  g_assert_cmpuint (stats.battles, ==, 26919);
  g_assert_cmpuint (stats.scanned, ==, 26919);
  g_assert_cmpuint (stats.parsed, ==, 0);
  g_assert_cmpuint (stats.buffer_size, ==, 1 << 20);

  /* An anchor, MM, no online Elo. */
  o.anchor_model = "vicuna-13b";
  o.anchor_value = 1100;
  o.method = KA_RATING_METHOD_MM;
  o.online_k = 0;
  o.bootstrap_rounds = 20;
  assert_same (path, NULL, &o, NULL, NULL);

  /* A filter that keeps nothing gives the same error. */
  ka_rating_options_init (&o);
  ka_rating_filter_init (&f);
  f.category = "coding";
  assert_same (path, &f, &o, NULL, NULL);
}

/* Every form the whole-file path accepts: a JSON array (pretty-printed, with nested
 * members), JSON Lines with a byte-order mark, CRLF, blank lines, escapes (left to
 * json-glib), integer and fractional times, categories and modes; with and without
 * filters, in time order, out of it, and without times. */
static void
test_forms (void)
{
  const char *models[] = { "alpha", "beta", "gamma", "delta", "엑사원-ε", "m\\u00e9ta" };
  const char *winners[] = { "model_a", "model_b", "tie", "tie (bothbad)", "both_bad" };
  const char *categories[] = { "coding", "math", "writing" };
  const char *modes[] = { "citizen", "kiosk" };
  GRand *rand = g_rand_new_with_seed (11);
  KaRatingOptions o;

  ka_rating_options_init (&o);
  o.bootstrap_rounds = 30;
  o.seed = 3;

  for (guint variant = 0; variant < 8; variant++)
    {
      GString *s = g_string_new (NULL);
      gboolean array = variant % 2 == 1;
      gboolean timed = variant != 4;
      gboolean shuffled = variant >= 6;
      g_autofree char *name = g_strdup_printf ("forms-%u.json", variant);
      g_autofree char *path = NULL;
      KaFastchatReadStats stats;
      gboolean again = FALSE;

      if (variant == 2)
        g_string_append (s, "\xef\xbb\xbf\n\n");
      if (array)
        g_string_append (s, "[\n");
      for (guint i = 0; i < 600; i++)
        {
          guint a = g_rand_int_range (rand, 0, G_N_ELEMENTS (models));
          guint b = (a + g_rand_int_range (rand, 1, G_N_ELEMENTS (models))) % G_N_ELEMENTS (models);
          guint w = g_rand_int_range (rand, 0, G_N_ELEMENTS (winners));
          double t = 1.7e9 + (shuffled ? g_rand_double_range (rand, 0, 1e6) : i * 37.25);

          if (array)
            g_string_append (s, i > 0 ? ",\n  " : "  ");
          g_string_append_printf (s, "{\"question_id\": \"q%u\", \"model_a\": \"%s\", "
                                  "\"model_b\": \"%s\", \"winner\": \"%s\"",
                                  i, models[a], models[b], winners[w]);
          if (timed)
            {
              if (i % 3 == 0)
                g_string_append_printf (s, ", \"tstamp\": %" G_GINT64_FORMAT, (gint64) t);
              else
                g_string_append_printf (s, ", \"tstamp\": %.4f", t);
            }
          if (i % 4 != 0)
            g_string_append_printf (s, ", \"category\": \"%s\"",
                                    categories[g_rand_int_range (rand, 0, 3)]);
          if (i % 5 != 0)
            g_string_append_printf (s, ", \"mode\": \"%s\"", modes[i % 2]);
          if (i % 7 == 0)
            g_string_append (s, ", \"conv\": [{\"role\": \"user\", \"x\": [1, -2.5, true, null, "
                             "\"a\\\"b\\n\\u00e9\"]}], \"anony\": false");
          g_string_append (s, "}");
          if (!array)
            g_string_append (s, variant == 2 ? "\r\n" : (i % 50 == 0 ? "\n   \n" : "\n"));
        }
      if (array)
        g_string_append (s, "\n]\n");
      path = write_tmp (name, s->str, s->len);

      assert_same (path, NULL, &o, &stats, &again);
      g_assert_cmpuint (stats.battles, ==, 600);
      /* Escaped model names go to json-glib; the rest is scanned. */
      g_assert_cmpuint (stats.parsed, >, 0);
      g_assert_cmpuint (stats.scanned, >, 300);
      g_assert_cmpint (again, ==, shuffled);

      {
        KaRatingFilter f;

        ka_rating_filter_init (&f);
        f.category = "math";
        assert_same (path, &f, &o, NULL, NULL);
        f.mode = "kiosk";
        assert_same (path, &f, &o, NULL, NULL);
        ka_rating_filter_init (&f);
        f.since_us = (gint64) (1.7e9 + 5000) * G_USEC_PER_SEC;
        f.until_us = (gint64) (1.7e9 + 15000) * G_USEC_PER_SEC;
        assert_same (path, &f, &o, NULL, NULL);
      }
      g_string_free (s, TRUE);
    }
  g_rand_free (rand);
}

/* What the whole-file path refuses, the stream leaves to it. */
static void
test_refused (void)
{
  static const struct
  {
    const char *name;
    const char *text;
  } cases[] = {
    { "invalid JSON", "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\"}\n{\"model_a\": \"a\",\n" },
    { "missing model_b", "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\"}\n{\"model_a\": \"a\", \"winner\": \"tie\"}\n" },
    { "empty model", "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\"}\n{\"model_a\": \"\", \"model_b\": \"b\", \"winner\": \"tie\"}\n" },
    { "bad winner", "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\"}\n{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"draw\"}\n" },
    { "self battle", "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\"}\n{\"model_a\": \"a\", \"model_b\": \"a\", \"winner\": \"tie\"}\n" },
    { "escaped self battle", "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\"}\n{\"model_a\": \"a\", \"model_b\": \"\\u0061\", \"winner\": \"tie\"}\n" },
    { "not an object", "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\"}\n[1]\n" },
    { "trailing garbage", "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\"} x\n" },
    { "invalid UTF-8", "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\"}\n{\"model_a\": \"a\xff\", \"model_b\": \"b\", \"winner\": \"tie\"}\n" },
    { "ballots", "{\"ballot_id\": \"x\", \"response_a\": \"r\", \"model_a\": \"a\", \"winner\": \"tie\"}\n" },
    { "neither", "{\"question\": 1}\n" },
    { "empty", "" },
    { "blank", " \n\t\n" },
    { "array garbage", "[{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\"}] x" },
    { "array trailing comma", "[{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\"},]" },
    { "array element", "[{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\"}, 3]" },
    { "array unterminated", "[{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\"}" },
    { "array bad winner", "[{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\"}, {\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": 1}]" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("refused-%u.json", i);
      g_autofree char *path = write_tmp (name, cases[i].text, -1);
      g_autoptr(KaRatingStream) stream = ka_rating_stream_new (NULL, KA_RATING_ONLINE_K);

      g_autofree char *whole = NULL;
      KaRatingOptions o;

      g_test_message ("%s", cases[i].name);
      g_assert_false (ka_fastchat_read_file (path, stream_add_cb, stream, NULL));
      /* The whole-file path refuses them all too (it names the problem). */
      ka_rating_options_init (&o);
      o.bootstrap_rounds = 0;
      whole = tally_whole_file (path, NULL, &o);
      g_assert_null (whole);
    }

  {
    g_autofree char *path = g_build_filename (tmp_dir, "no-such-file.json", NULL);
    g_autoptr(KaRatingStream) stream = ka_rating_stream_new (NULL, KA_RATING_ONLINE_K);

    g_assert_false (ka_fastchat_read_file (path, stream_add_cb, stream, NULL));
  }
}

/* `kai-arena-admin tally --input`: the same output as before for good files (the table,
 * CSV and JSON), and the same messages for bad ones. */
static void
test_cli (void)
{
  const char *admin = g_getenv ("KA_ADMIN");
  g_autofree char *good = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *array_bad = NULL;
  GString *s = g_string_new (NULL);

  if (admin == NULL)
    {
      g_test_skip ("KA_ADMIN is not set");
      return;
    }
  for (guint i = 0; i < 300; i++)
    g_string_append_printf (s, "{\"model_a\": \"m%u\", \"model_b\": \"m%u\", \"winner\": \"%s\", "
                            "\"tstamp\": %u.5}\n", i % 4, (i + 1 + (i / 4) % 3) % 4,
                            i % 3 == 0 ? "model_a" : (i % 3 == 1 ? "model_b" : "tie"), 1000000 + i);
  good = write_tmp ("cli-good.jsonl", s->str, s->len);
  g_string_append (s, "{\"model_a\": \"m1\", \"model_b\": \"m2\", \"winner\": \"draw\"}\n");
  bad = write_tmp ("cli-bad.jsonl", s->str, s->len);
  array_bad = write_tmp ("cli-bad-array.json", "[{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\"},\n 7]", -1);
  g_string_free (s, TRUE);

  for (guint f = 0; f < 3; f++)
    {
      const char *format = (const char *[]) { "table", "csv", "json" }[f];
      const char *argv[] = { admin, "tally", "--input", good, "--format", format,
                             "--bootstrap", "50", NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *expected = NULL;
      g_autofree char *text = NULL;
      gsize len;
      int status = -1;
      GError *error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(KaVoteLog) log = ka_vote_log_new ();
      g_autoptr(KaRatingResult) r = NULL;
      KaRatingOptions o;

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                   &out, &err, &status, &error));
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));

      /* The reference: the whole-file path, printed as the tool prints it. */
      g_assert_true (g_file_get_contents (good, &text, &len, NULL));
      bytes = g_bytes_new_take (g_steal_pointer (&text), len);
      g_assert_true (ka_export_load_fastchat (log, bytes, NULL));
      ka_rating_options_init (&o);
      o.bootstrap_rounds = 50;
      r = ka_rating_tally (log, NULL, &o, NULL, &error);
      g_assert_no_error (error);
      if (f == 1)
        {
          expected = ka_rating_result_to_csv (r);
          g_assert_cmpstr (out, ==, expected);
        }
      else if (f == 2)
        {
          g_autoptr(JsonNode) node = ka_rating_result_to_json (r);
          g_autoptr(JsonGenerator) gen = json_generator_new ();
          g_autofree char *json = NULL;

          json_generator_set_pretty (gen, TRUE);
          json_generator_set_root (gen, node);
          json = json_generator_to_data (gen, NULL);
          expected = g_strconcat (json, "\n", NULL);
          g_assert_cmpstr (out, ==, expected);
        }
      else
        {
          const KaRatingEntry *e = ka_rating_result_get_entry (r, 0);
          g_autofree char *row = g_strdup_printf ("%.1f", e->online_elo);

          g_assert_nonnull (strstr (out, "300 ballots, 4 models"));
          g_assert_nonnull (strstr (out, row));
        }
    }

  {
    const char *argv[] = { admin, "tally", "--input", bad, NULL };
    g_autofree char *err = NULL;
    int status = 0;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                                 NULL, NULL, &err, &status, NULL));
    g_assert_false (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (err, "battle 301: "));
    g_assert_nonnull (strstr (err, "winner"));
  }
  {
    const char *argv[] = { admin, "tally", "--input", array_bad, NULL };
    g_autofree char *err = NULL;
    int status = 0;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                                 NULL, NULL, &err, &status, NULL));
    g_assert_false (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (err, "element 2 is not a JSON object"));
  }
}

/* The scanner reads `tstamp` as json-glib does, bit for bit, and refuses what it must
 * leave to json-glib. */
static void
test_scanner (void)
{
  static const char * const refused[] = {
    "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\", \"tstamp\": 1e9}",
    "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\", \"tstamp\": 1234567890123456}",
    "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\", \"tstamp\": \"1\"}",
    "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\", \"tstamp\": 01}",
    "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\", \"model_a\": \"c\"}",
    "{\"model_a\": \"a\\u0062\", \"model_b\": \"b\", \"winner\": \"tie\"}",
    "{\"model\\u005fa\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\"}",
    "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\", \"x\": \"\\u0000\"}",
    "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\", \"x\": \"\\ud800\"}",
    "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\", \"x\": \"\t\"}",
    "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\", \"x\": [1,]}",
    "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\", \"x\": NaN}",
    "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\",}",
    "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\"}\f",
    "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\", \"category\": null}",
    "{\"model_a\": \"a\", \"model_b\": 2, \"winner\": \"tie\"}",
    "{\"model_a\": \"a\", \"model_b\": \"b\"}",
    "{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\"} {}",
    "[{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\"}]",
  };
  GRand *rand = g_rand_new_with_seed (5);
  g_autoptr(JsonParser) parser = json_parser_new ();
  KaFastchatFields f;
  const char *ok = " {\"num\": -0, \"model_a\" : \"a b\",\"model_b\":\"엑사원\", \"winner\": "
                   "\"tie (bothbad)\", \"category\": \"\", \"mode\": \"kiosk\", "
                   "\"x\": {\"y\": [true, false, null, 0.5, \"\\\\\\/\\u00e9\"]}}\r";

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_test_message ("%s", refused[i]);
      g_assert_false (ka_fastchat_scan (refused[i], strlen (refused[i]), &f));
    }

  g_assert_true (ka_fastchat_scan (ok, strlen (ok), &f));
  g_assert_cmpmem (f.model_a, f.model_a_len, "a b", 3);
  g_assert_cmpmem (f.model_b, f.model_b_len, "엑사원", strlen ("엑사원"));
  g_assert_cmpint (f.winner, ==, KA_WINNER_BOTH_BAD);
  g_assert_cmpint (f.time_us, ==, G_MININT64);
  g_assert_nonnull (f.category);
  g_assert_cmpuint (f.category_len, ==, 0);
  g_assert_cmpmem (f.mode, f.mode_len, "kiosk", 5);

  for (guint i = 0; i < 20000; i++)
    {
      g_autofree char *line = NULL;
      JsonObject *o;
      double t;

      if (i % 4 == 0)
        line = g_strdup_printf ("{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\", "
                                "\"tstamp\": %u}", g_rand_int (rand));
      else
        line = g_strdup_printf ("{\"model_a\": \"a\", \"model_b\": \"b\", \"winner\": \"tie\", "
                                "\"tstamp\": %.*f}", g_rand_int_range (rand, 1, 12),
                                g_rand_double_range (rand, -1e10, 2e9));
      g_assert_true (ka_fastchat_scan (line, strlen (line), &f));
      g_assert_true (json_parser_load_from_data (parser, line, -1, NULL));
      o = json_node_get_object (json_parser_get_root (parser));
      if (json_node_get_value_type (json_object_get_member (o, "tstamp")) == G_TYPE_INT64)
        t = (double) json_object_get_int_member (o, "tstamp");
      else
        t = json_object_get_double_member (o, "tstamp");
      g_assert_cmpint (f.time_us, ==, (gint64) llround (t * G_USEC_PER_SEC));
    }
  g_rand_free (rand);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("test-tally-input-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);

  g_test_add_func ("/ka/tally-input/human", test_human);
  g_test_add_func ("/ka/tally-input/forms", test_forms);
  g_test_add_func ("/ka/tally-input/refused", test_refused);
  g_test_add_func ("/ka/tally-input/cli", test_cli);
  g_test_add_func ("/ka/tally-input/scanner", test_scanner);

  ret = g_test_run ();

  {
    g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (tmp_dir, name, NULL);

        g_unlink (path);
      }
    g_rmdir (tmp_dir);
    g_free (tmp_dir);
  }
  return ret;
}
