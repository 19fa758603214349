/* test-export.c: export, re-import, audit; FastChat and ballot readers
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-export"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ka-export.h"
#include "ka-export-private.h"
#include "ka-json-scanner.h"
#include "ka-json-writer.h"
#include "ka-store.h"

#define N_MODELS 3
#define N_PROMPTS 4

/* Display names as JSON string contents: Korean, and a comma and quotes for CSV. */
static const char *json_names[N_MODELS] = { "모델 가", "Model, \\\"B\\\"", "모델 다" };

static KaPack *
make_pack (void)
{
  GString *s = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;
  KaPack *pack;

  g_string_append (s, "{\"format\": \"" KA_PACK_FORMAT "\", \"pack_id\": \"export-test\","
                      "\"title\": {\"ko\": \"내보내기\", \"en\": \"Export\"}, \"language\": \"ko\","
                      "\"created_at\": \"2026-11-29T00:00:00Z\", \"licence\": \"Apache-2.0\","
                      "\"identity_terms\": [\"Zorblax\"], \"models\": [");
  for (guint m = 0; m < N_MODELS; m++)
    {
      const char *name = json_names[m];

      g_string_append_printf (s, "%s{\"model_id\": \"m%u\", \"display_name\": \"%s\"}",
                              m > 0 ? "," : "", m + 1, name);
    }
  g_string_append (s, "], \"prompts\": [");
  for (guint p = 0; p < N_PROMPTS; p++)
    g_string_append_printf (s, "%s{\"prompt_id\": \"p%u\", \"category\": \"%s\", "
                               "\"turns\": [\"질문 %u\"]}",
                            p > 0 ? "," : "", p + 1, p % 2 ? "writing" : "coding", p + 1);
  g_string_append (s, "], \"responses\": [");
  for (guint p = 0; p < N_PROMPTS; p++)
    for (guint m = 0; m < N_MODELS; m++)
      g_string_append_printf (s, "%s{\"response_id\": \"r%u-%u\", \"prompt_id\": \"p%u\", "
                                 "\"model_id\": \"m%u\", \"turns\": [\"답 %u %u\"]}",
                              p + m > 0 ? "," : "", p + 1, m + 1, p + 1, m + 1, p, m);
  g_string_append (s, "]}");

  bytes = g_string_free_to_bytes (s);
  pack = ka_pack_new_from_bytes (bytes, &error);
  g_assert_no_error (error);
  return pack;
}

/* Casts @n ballots into a new store at @path with a seeded voter: model 1 strongest. */
static void
cast_ballots (const char *path,
              guint       n,
              guint32     seed,
              GPtrArray  *out)
{
  g_autoptr(KaStore) store = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GPtrArray) listed = NULL;
  GError *error = NULL;

  store = ka_store_open (path, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < n; i++)
    {
      guint p = g_rand_int_range (rand, 0, N_PROMPTS);
      guint a = g_rand_int_range (rand, 0, N_MODELS);
      guint b = (a + 1 + g_rand_int_range (rand, 0, N_MODELS - 1)) % N_MODELS;
      g_autofree char *ra = g_strdup_printf ("r%u-%u", p + 1, a + 1);
      g_autofree char *rb = g_strdup_printf ("r%u-%u", p + 1, b + 1);
      g_autofree char *pid = g_strdup_printf ("p%u", p + 1);
      g_autofree char *shown = g_strdup_printf ("2026-12-0%uT10:%02u:%02u.000Z", 1 + i % 3, i / 60 % 60, i % 60);
      g_autofree char *voted = g_strdup_printf ("2026-12-0%uT10:%02u:%02u.500Z", 1 + i % 3, i / 60 % 60, i % 60);
      double u = g_rand_double (rand);
      KaWinner w;
      KaBallotDraft draft = { 0, };
      KaBallot *ballot;

      /* Lower index = stronger; ties, both-bad and a flagged ballot now and then. */
      if (u < 0.12)
        w = KA_WINNER_TIE;
      else if (u < 0.18)
        w = KA_WINNER_BOTH_BAD;
      else
        w = g_rand_double (rand) < (a < b ? 0.7 : 0.3) ? KA_WINNER_MODEL_A : KA_WINNER_MODEL_B;

      draft.session_id = "session-1";
      draft.pack_id = "export-test";
      draft.prompt_id = pid;
      draft.response_a = ra;
      draft.response_b = rb;
      draft.winner = w;
      draft.shown_at = shown;
      draft.voted_at = voted;
      draft.decision_ms = 4000 + i;
      draft.mode = i % 4 == 0 ? KA_MODE_KIOSK : KA_MODE_CITIZEN;
      draft.ui_language = "ko";
      draft.identity_flag = i == 5;
      ballot = ka_store_commit_ballot (store, &draft, NULL, &error);
      g_assert_no_error (error);
      ka_ballot_free (ballot);
    }

  listed = ka_store_list_ballots (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, n);
  for (guint i = 0; i < listed->len; i++)
    g_ptr_array_add (out, ka_ballot_copy (g_ptr_array_index (listed, i)));
}

typedef struct
{
  char      *tmp;
  char      *dir;      /* the export */
  KaPack    *pack;
  GPtrArray *packs;
  GPtrArray *ballots;
  KaRatingOptions options;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  GError *error = NULL;
  g_autofree char *db1 = NULL;
  g_autofree char *db2 = NULL;

  f->tmp = g_dir_make_tmp ("ka-export-XXXXXX", &error);
  g_assert_no_error (error);
  f->dir = g_build_filename (f->tmp, "export", NULL);
  f->pack = make_pack ();
  f->packs = g_ptr_array_new ();
  g_ptr_array_add (f->packs, f->pack);
  f->ballots = g_ptr_array_new_with_free_func ((GDestroyNotify) ka_ballot_free);

  /* Two devices. */
  db1 = g_build_filename (f->tmp, "device1.db", NULL);
  db2 = g_build_filename (f->tmp, "device2.db", NULL);
  cast_ballots (db1, 100, 1, f->ballots);
  cast_ballots (db2, 100, 2, f->ballots);

  ka_rating_options_init (&f->options);
  f->options.bootstrap_rounds = 200;
  f->options.seed = 7;

  g_assert_true (ka_export_write (f->dir, f->ballots, f->packs, &f->options, &error));
  g_assert_no_error (error);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  if (d != NULL)
    {
      while ((name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
    }
  g_remove (path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  remove_tree (f->tmp);
  g_free (f->tmp);
  g_free (f->dir);
  g_ptr_array_unref (f->packs);
  g_object_unref (f->pack);
  g_ptr_array_unref (f->ballots);
}

static char *
read_text (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *text = NULL;
  GError *error = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  return text;
}

static void
write_text (const char *dir,
            const char *name,
            const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GError *error = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
}

static GBytes *
read_bytes (const char *dir,
            const char *name)
{
  char *text = read_text (dir, name);

  return g_bytes_new_take (text, strlen (text));
}

/* The tally CSV of a vote log with the fixture's options, with the BOM of tally.csv. */
static char *
tally_of (KaVoteLog             *log,
          const KaRatingOptions *options)
{
  g_autoptr(KaRatingResult) r = NULL;
  g_autofree char *csv = NULL;
  GError *error = NULL;

  r = ka_rating_tally (log, NULL, options, NULL, &error);
  g_assert_no_error (error);
  csv = ka_rating_result_to_csv (r);
  return g_strconcat ("\xef\xbb\xbf", csv, NULL);
}

static GPtrArray *
audit (const char *dir,
       GPtrArray  *packs)
{
  GError *error = NULL;
  GPtrArray *problems = ka_export_audit (dir, packs, &error);

  g_assert_no_error (error);
  g_assert_nonnull (problems);
  for (guint i = 0; i < problems->len; i++)
    {
      const KaAuditProblem *p = g_ptr_array_index (problems, i);

      g_test_message ("%s: %s", ka_audit_kind_to_string (p->kind), p->message);
    }
  return problems;
}

/* Is there a problem of @kind about @file whose message names @needle (and @ballot_id,
 * if given)? */
static gboolean
has_problem (GPtrArray   *problems,
             KaAuditKind  kind,
             const char  *file,
             const char  *ballot_id,
             const char  *needle)
{
  for (guint i = 0; i < problems->len; i++)
    {
      const KaAuditProblem *p = g_ptr_array_index (problems, i);

      if (p->kind != kind || g_strcmp0 (p->file, file) != 0)
        continue;
      if (ballot_id != NULL && (p->message == NULL || strstr (p->message, ballot_id) == NULL))
        continue;
      if (needle != NULL && strstr (p->message, needle) == NULL)
        continue;
      return TRUE;
    }
  return FALSE;
}

/* Recomputes the manifest's checksums, as a forger would, so that only the content-level
 * checks (chains, cross-file agreement) can catch the edit. */
static void
rehash_manifest (const char *dir)
{
  g_autofree char *text = read_text (dir, KA_EXPORT_MANIFEST);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *out = NULL;
  GError *error = NULL;
  JsonArray *files;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  files = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "files");
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonObject *f = json_array_get_object_element (files, i);
      g_autoptr(GBytes) bytes = read_bytes (dir, json_object_get_string_member (f, "name"));
      g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);

      json_object_set_string_member (f, "sha256", sha);
    }
  json_generator_set_root (gen, json_parser_get_root (parser));
  out = json_generator_to_data (gen, NULL);
  write_text (dir, KA_EXPORT_MANIFEST, out);
}

static void
test_roundtrip (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) problems = audit (f->dir, f->packs);
  g_autoptr(GPtrArray) problems_nopack = audit (f->dir, NULL);
  g_autofree char *tally = read_text (f->dir, KA_EXPORT_TALLY_CSV);
  g_autofree char *csv = read_text (f->dir, KA_EXPORT_BALLOTS_CSV);
  g_autofree char *manifest = read_text (f->dir, KA_EXPORT_MANIFEST);
  g_autoptr(GBytes) jsonl = read_bytes (f->dir, KA_EXPORT_BALLOTS_JSONL);
  g_autoptr(GBytes) fastchat = read_bytes (f->dir, KA_EXPORT_FASTCHAT);
  g_autoptr(GPtrArray) reread = NULL;
  g_autoptr(KaVoteLog) direct = ka_vote_log_new ();
  g_autoptr(KaVoteLog) from_jsonl = ka_vote_log_new ();
  g_autoptr(KaVoteLog) from_fastchat = ka_vote_log_new ();
  g_autofree char *t_direct = NULL;
  g_autofree char *t_jsonl = NULL;
  g_autofree char *t_fastchat = NULL;
  KaExportStats stats;
  GError *error = NULL;

  /* A fresh export audits clean, with or without the pack. */
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_cmpuint (problems_nopack->len, ==, 0);

  /* Files: BOM and exact headers; FastChat's vocabulary; manifest contents. */
  g_assert_true (g_str_has_prefix (csv, "\xef\xbb\xbf" "ballot_id,device_id,session_id,seq,"));
  g_assert_true (g_str_has_prefix (tally, "\xef\xbb\xbf" "rank,model,rating,ci_lower,ci_upper,battles,win_rate\n"));
  g_assert_nonnull (strstr (csv, "\"Model, \"\"B\"\"\""));
  g_assert_nonnull (strstr (g_bytes_get_data (fastchat, NULL), "\"anony\":true"));
  g_assert_nonnull (strstr (g_bytes_get_data (fastchat, NULL), "\"tie (bothbad)\""));
  g_assert_nonnull (strstr (g_bytes_get_data (fastchat, NULL), "\"language\":\"Korean\""));
  g_assert_nonnull (strstr (manifest, "\"chain_head\""));
  g_assert_nonnull (strstr (manifest, "\"ballot_count\" : 200"));
  g_assert_nonnull (strstr (manifest, "\"battle_count\" : 198"));
  g_assert_nonnull (strstr (manifest, "\"reason\" : \"identity_flag\""));
  g_assert_cmpint (ka_export_detect_input (jsonl), ==, KA_INPUT_BALLOTS);
  g_assert_cmpint (ka_export_detect_input (fastchat), ==, KA_INPUT_FASTCHAT);

  /* The same tally from the original ballots, from ballots.jsonl + pack, and from
   * battles-fastchat.json: export then re-import loses nothing. */
  ka_export_add_ballots (direct, f->ballots, f->packs, &stats);
  g_assert_cmpuint (stats.added, ==, 198);
  g_assert_cmpuint (stats.identity_flagged, ==, 2);
  reread = ka_export_parse_ballots (jsonl, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reread->len, ==, 200);
  for (guint i = 0; i < reread->len; i++)
    g_assert_true (ka_ballot_verify_hash (g_ptr_array_index (reread, i)));
  ka_export_add_ballots (from_jsonl, reread, f->packs, NULL);
  g_assert_true (ka_export_load_fastchat (from_fastchat, fastchat, &error));
  g_assert_no_error (error);

  t_direct = tally_of (direct, &f->options);
  t_jsonl = tally_of (from_jsonl, &f->options);
  t_fastchat = tally_of (from_fastchat, &f->options);
  g_test_message ("tally:\n%s", t_direct);
  g_assert_cmpstr (t_direct, ==, tally);
  g_assert_cmpstr (t_jsonl, ==, tally);
  g_assert_cmpstr (t_fastchat, ==, tally);
  /* Model 1 is the strongest by construction. */
  g_assert_nonnull (strstr (tally, "\n1,모델 가,"));

  /* Filters survive the round trip: category and mode come back from the FastChat file. */
  {
    KaRatingFilter filter;
    g_autoptr(KaRatingCounts) a = NULL;
    g_autoptr(KaRatingCounts) b = NULL;

    ka_rating_filter_init (&filter);
    filter.category = "writing";
    filter.mode = "citizen";
    a = ka_vote_log_aggregate (direct, &filter);
    b = ka_vote_log_aggregate (from_fastchat, &filter);
    g_assert_cmpint (ka_rating_counts_get_total (a), >, 0);
    g_assert_cmpint (ka_rating_counts_get_total (a), ==, ka_rating_counts_get_total (b));
  }

  /* A second export to the same directory is refused. */
  g_assert_false (ka_export_write (f->dir, f->ballots, f->packs, &f->options, &error));
  g_assert_error (error, KA_EXPORT_ERROR, KA_EXPORT_ERROR_INVALID);
  g_clear_error (&error);
}

/* Line @index (0-based) of a text, and the text with lines swapped or dropped. */
static char **
lines_of (const char *text)
{
  return g_strsplit (text, "\n", -1);
}

static char *
join_lines (char **lines)
{
  return g_strjoinv ("\n", lines);
}

/* The ballot with @seq on device @device (0: the device whose ID sorts first, as the
 * export orders them). */
static const char *
ballot_id_at (Fixture *f,
              guint    device,
              gint64   seq)
{
  const char *dev0 = ((const KaBallot *) g_ptr_array_index (f->ballots, 0))->device_id;
  const char *dev1 = ((const KaBallot *) g_ptr_array_index (f->ballots, f->ballots->len - 1))->device_id;
  const char *want = (device == 0) == (g_strcmp0 (dev0, dev1) < 0) ? dev0 : dev1;

  for (guint i = 0; i < f->ballots->len; i++)
    {
      const KaBallot *b = g_ptr_array_index (f->ballots, i);

      if (g_str_equal (b->device_id, want) && b->seq == seq)
        return b->ballot_id;
    }
  g_assert_not_reached ();
  return NULL;
}

/* Changing one field of one ballot is caught, with the ballot named, whether or not the
 * forger recomputed the manifest's checksums. */
static void
test_audit_altered (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *jsonl = read_text (f->dir, KA_EXPORT_BALLOTS_JSONL);
  g_autofree char *csv = read_text (f->dir, KA_EXPORT_BALLOTS_CSV);
  g_auto(GStrv) lines = lines_of (jsonl);
  g_auto(GStrv) rows = lines_of (csv);
  g_autofree char *edited = NULL;
  g_autofree char *edited_csv = NULL;
  const char *victim = ballot_id_at (f, 0, 10);
  const char *victim_csv = ballot_id_at (f, 0, 20);
  g_autoptr(GPtrArray) p1 = NULL;
  g_autoptr(GPtrArray) p2 = NULL;
  g_autoptr(GPtrArray) p3 = NULL;
  char *pos;

  /* ballots.jsonl line 10 (seq 10 of the first device): change its winner. */
  g_assert_nonnull (strstr (lines[9], victim));
  pos = strstr (lines[9], "\"winner\":\"");
  g_assert_nonnull (pos);
  pos += strlen ("\"winner\":\"");
  if (g_str_has_prefix (pos, "model_a"))
    memcpy (pos, "model_b", 7);
  else
    {
      g_autofree char *prefix = g_strndup (lines[9], pos - lines[9]);
      char *line = g_strconcat (prefix, "model_a", strchr (pos, '"'), NULL);

      g_free (lines[9]);
      lines[9] = line;
    }
  edited = join_lines (lines);
  write_text (f->dir, KA_EXPORT_BALLOTS_JSONL, edited);

  p1 = audit (f->dir, NULL);
  g_assert_true (has_problem (p1, KA_AUDIT_ALTERED, KA_EXPORT_BALLOTS_JSONL, NULL, "SHA-256"));
  g_assert_true (has_problem (p1, KA_AUDIT_ALTERED, KA_EXPORT_BALLOTS_JSONL, victim, "altered"));

  rehash_manifest (f->dir);
  p2 = audit (f->dir, NULL);
  g_assert_false (has_problem (p2, KA_AUDIT_ALTERED, KA_EXPORT_BALLOTS_JSONL, NULL, "SHA-256"));
  g_assert_true (has_problem (p2, KA_AUDIT_ALTERED, KA_EXPORT_BALLOTS_JSONL, victim, "altered"));
  /* The other files disagree with the edited ballot, too. */
  g_assert_true (has_problem (p2, KA_AUDIT_ALTERED, KA_EXPORT_BALLOTS_CSV, victim, "winner"));
  g_assert_true (has_problem (p2, KA_AUDIT_ALTERED, KA_EXPORT_FASTCHAT, victim, "winner"));

  /* Restore, then change one CSV field: the row and the field are named. */
  write_text (f->dir, KA_EXPORT_BALLOTS_JSONL, jsonl);
  g_assert_nonnull (strstr (rows[20], victim_csv));
  pos = strstr (rows[20], ",citizen,");
  if (pos == NULL)
    pos = strstr (rows[20], ",kiosk,");
  g_assert_nonnull (pos);
  {
    g_autofree char *prefix = g_strndup (rows[20], pos - rows[20]);
    const char *rest = strchr (pos + 1, ',');
    char *line = g_strconcat (prefix, g_str_has_prefix (pos, ",citizen,") ? ",kiosk" : ",citizen", rest, NULL);

    g_free (rows[20]);
    rows[20] = line;
  }
  edited_csv = join_lines (rows);
  write_text (f->dir, KA_EXPORT_BALLOTS_CSV, edited_csv);
  rehash_manifest (f->dir);
  p3 = audit (f->dir, NULL);
  g_assert_cmpuint (p3->len, ==, 1);
  g_assert_true (has_problem (p3, KA_AUDIT_ALTERED, KA_EXPORT_BALLOTS_CSV, victim_csv, "field “mode”"));

  /* A forger who re-seals the newest ballot of a device (its hash recomputed, so it
   * verifies and still links to its predecessor): the manifest's chain head differs. */
  write_text (f->dir, KA_EXPORT_BALLOTS_CSV, csv);
  {
    g_auto(GStrv) l2 = lines_of (jsonl);
    guint n2 = g_strv_length (l2);
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autoptr(KaBallot) b = NULL;
    g_autoptr(JsonNode) node = NULL;
    g_autoptr(JsonGenerator) gen = json_generator_new ();
    g_autoptr(GPtrArray) p4 = NULL;
    g_autofree char *out = NULL;
    const char *last = ballot_id_at (f, 1, 100);
    GError *error = NULL;

    g_assert_nonnull (strstr (l2[n2 - 2], last));
    g_assert_true (json_parser_load_from_data (parser, l2[n2 - 2], -1, &error));
    b = ka_ballot_new_from_json (json_parser_get_root (parser), &error);
    g_assert_no_error (error);
    b->decision_ms += 1;
    g_free (b->hash);
    b->hash = ka_ballot_compute_hash (b);
    node = ka_ballot_to_json (b);
    json_generator_set_root (gen, node);
    g_free (l2[n2 - 2]);
    l2[n2 - 2] = json_generator_to_data (gen, NULL);
    out = join_lines (l2);
    write_text (f->dir, KA_EXPORT_BALLOTS_JSONL, out);
    rehash_manifest (f->dir);
    p4 = audit (f->dir, NULL);
    g_assert_true (has_problem (p4, KA_AUDIT_ALTERED, KA_EXPORT_BALLOTS_JSONL, last, "chain head"));
    g_assert_true (has_problem (p4, KA_AUDIT_ALTERED, KA_EXPORT_BALLOTS_CSV, last, "decision_ms"));
  }
}

/* Dropping one row is caught as missing, the ballot (or seq) named. */
static void
test_audit_dropped (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *jsonl = read_text (f->dir, KA_EXPORT_BALLOTS_JSONL);
  g_autofree char *csv = read_text (f->dir, KA_EXPORT_BALLOTS_CSV);
  g_autofree char *fastchat = read_text (f->dir, KA_EXPORT_FASTCHAT);
  g_auto(GStrv) lines = lines_of (jsonl);
  g_auto(GStrv) rows = lines_of (csv);
  g_autofree char *edited = NULL;
  const char *victim = ballot_id_at (f, 0, 30);
  const char *next = ballot_id_at (f, 0, 31);
  const char *last = ballot_id_at (f, 1, 100);
  g_autoptr(GPtrArray) p1 = NULL;
  g_autoptr(GPtrArray) p2 = NULL;
  g_autoptr(GPtrArray) p3 = NULL;
  guint n = g_strv_length (lines);

  /* Drop seq 30 of the first device from ballots.jsonl. */
  g_assert_nonnull (strstr (lines[29], victim));
  g_free (lines[29]);
  memmove (&lines[29], &lines[30], sizeof (char *) * (n - 29));
  edited = join_lines (lines);
  write_text (f->dir, KA_EXPORT_BALLOTS_JSONL, edited);
  rehash_manifest (f->dir);
  p1 = audit (f->dir, NULL);
  /* The chain names the gap at seq 30, before ballot 31; the manifest's count differs;
   * the CSV row and the battle of the dropped ballot match nothing. */
  g_assert_true (has_problem (p1, KA_AUDIT_MISSING, KA_EXPORT_BALLOTS_JSONL, next, "seq 30"));
  g_assert_true (has_problem (p1, KA_AUDIT_MISSING, KA_EXPORT_BALLOTS_JSONL, NULL, "manifest lists 100"));
  g_assert_true (has_problem (p1, KA_AUDIT_UNEXPECTED, KA_EXPORT_BALLOTS_CSV, victim, NULL));

  /* Restore; drop the last ballot of the second device (a cut-off chain still links):
   * the manifest's count and chain head catch it. */
  write_text (f->dir, KA_EXPORT_BALLOTS_JSONL, jsonl);
  {
    g_auto(GStrv) l2 = lines_of (jsonl);
    guint n2 = g_strv_length (l2);
    g_autofree char *cut = NULL;

    /* The file ends with "\n": the last element is empty. */
    g_assert_cmpstr (l2[n2 - 1], ==, "");
    g_assert_nonnull (strstr (l2[n2 - 2], last));
    g_free (l2[n2 - 2]);
    l2[n2 - 2] = l2[n2 - 1];
    l2[n2 - 1] = NULL;
    cut = join_lines (l2);
    write_text (f->dir, KA_EXPORT_BALLOTS_JSONL, cut);
  }
  rehash_manifest (f->dir);
  p2 = audit (f->dir, NULL);
  g_assert_true (has_problem (p2, KA_AUDIT_MISSING, KA_EXPORT_BALLOTS_JSONL, NULL, "has 99 ballots but the manifest lists 100"));

  /* Restore; drop a CSV row: named as missing. */
  write_text (f->dir, KA_EXPORT_BALLOTS_JSONL, jsonl);
  {
    guint nr = g_strv_length (rows);
    const char *id = ballot_id_at (f, 1, 5);
    g_autofree char *cut = NULL;
    guint k = 0;

    while (rows[k] != NULL && strstr (rows[k], id) == NULL)
      k++;
    g_assert_nonnull (rows[k]);
    g_free (rows[k]);
    memmove (&rows[k], &rows[k + 1], sizeof (char *) * (nr - k));
    cut = join_lines (rows);
    write_text (f->dir, KA_EXPORT_BALLOTS_CSV, cut);
    rehash_manifest (f->dir);
    p3 = audit (f->dir, NULL);
    g_assert_cmpuint (p3->len, ==, 1);
    g_assert_true (has_problem (p3, KA_AUDIT_MISSING, KA_EXPORT_BALLOTS_CSV, id, "missing"));
  }
  write_text (f->dir, KA_EXPORT_BALLOTS_CSV, csv);
  write_text (f->dir, KA_EXPORT_FASTCHAT, fastchat);
}

/* Swapping two rows is caught as reordered, both ballots named. */
static void
test_audit_swapped (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *jsonl = read_text (f->dir, KA_EXPORT_BALLOTS_JSONL);
  g_autofree char *fastchat = read_text (f->dir, KA_EXPORT_FASTCHAT);
  g_auto(GStrv) lines = lines_of (jsonl);
  g_auto(GStrv) battles = lines_of (fastchat);
  g_autofree char *edited = NULL;
  const char *a = ballot_id_at (f, 0, 40);
  const char *b = ballot_id_at (f, 0, 41);
  g_autoptr(GPtrArray) p1 = NULL;
  g_autoptr(GPtrArray) p2 = NULL;
  char *t;

  t = lines[39];
  lines[39] = lines[40];
  lines[40] = t;
  edited = join_lines (lines);
  write_text (f->dir, KA_EXPORT_BALLOTS_JSONL, edited);
  rehash_manifest (f->dir);
  p1 = audit (f->dir, NULL);
  g_assert_true (has_problem (p1, KA_AUDIT_REORDERED, KA_EXPORT_BALLOTS_JSONL, a, "out of order"));
  g_assert_true (has_problem (p1, KA_AUDIT_REORDERED, KA_EXPORT_BALLOTS_JSONL, b, "out of order"));
  /* The CSV and FastChat files were not touched and agree with each other. */
  g_assert_false (has_problem (p1, KA_AUDIT_REORDERED, KA_EXPORT_BALLOTS_CSV, NULL, NULL));

  /* Restore; swap two battles of the FastChat file (lines 2 and 3 hold battles 1, 2). */
  write_text (f->dir, KA_EXPORT_BALLOTS_JSONL, jsonl);
  {
    g_autofree char *l1 = g_strdup (battles[1]);
    g_autofree char *l2 = g_strdup (battles[2]);
    g_autofree char *out = NULL;

    /* Keep the trailing commas where the JSON needs them. */
    g_assert_true (g_str_has_suffix (l1, ","));
    g_assert_true (g_str_has_suffix (l2, ","));
    g_free (battles[1]);
    g_free (battles[2]);
    battles[1] = g_steal_pointer (&l2);
    battles[2] = g_steal_pointer (&l1);
    out = join_lines (battles);
    write_text (f->dir, KA_EXPORT_FASTCHAT, out);
  }
  rehash_manifest (f->dir);
  p2 = audit (f->dir, NULL);
  g_assert_true (has_problem (p2, KA_AUDIT_REORDERED, KA_EXPORT_FASTCHAT, NULL, "out of order"));
  g_assert_false (has_problem (p2, KA_AUDIT_REORDERED, KA_EXPORT_BALLOTS_JSONL, NULL, NULL));
}

/* tally.csv doctored; a file missing; a file added. */
static void
test_audit_files (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *tally = read_text (f->dir, KA_EXPORT_TALLY_CSV);
  g_autofree char *edited = NULL;
  g_autofree char *path = g_build_filename (f->dir, KA_EXPORT_BALLOTS_CSV, NULL);
  g_autoptr(GPtrArray) p1 = NULL;
  g_autoptr(GPtrArray) p2 = NULL;
  char *line2;

  /* Swap the first two models' names in the tally. */
  line2 = strstr (tally, "\n1,");
  g_assert_nonnull (line2);
  edited = g_strdup (tally);
  edited[line2 - tally + 1] = '3';
  write_text (f->dir, KA_EXPORT_TALLY_CSV, edited);
  rehash_manifest (f->dir);
  p1 = audit (f->dir, NULL);
  g_assert_cmpuint (p1->len, ==, 1);
  g_assert_true (has_problem (p1, KA_AUDIT_ALTERED, KA_EXPORT_TALLY_CSV, NULL, "line 2"));

  write_text (f->dir, KA_EXPORT_TALLY_CSV, tally);
  rehash_manifest (f->dir);
  g_assert_cmpint (g_remove (path), ==, 0);
  write_text (f->dir, "extra.txt", "hello");
  p2 = audit (f->dir, NULL);
  g_assert_true (has_problem (p2, KA_AUDIT_MISSING, KA_EXPORT_BALLOTS_CSV, NULL, "missing"));
  g_assert_true (has_problem (p2, KA_AUDIT_UNEXPECTED, "extra.txt", NULL, NULL));
}

/* FastChat readers: JSON array and JSON Lines give the same log; both tie spellings;
 * a BOM; errors name the line and field. */
static void
test_fastchat (void)
{
  const char *lines =
    "\xef\xbb\xbf{\"model_a\": \"x\", \"model_b\": \"y\", \"winner\": \"model_a\", \"tstamp\": 1700000000.5}\n"
    "\n"
    "{\"model_a\": \"y\", \"model_b\": \"x\", \"winner\": \"tie (bothbad)\"}\n"
    "{\"model_a\": \"x\", \"model_b\": \"z\", \"winner\": \"both_bad\", \"conversation_a\": [{\"role\": \"user\"}]}\n"
    "{\"model_a\": \"z\", \"model_b\": \"y\", \"winner\": \"tie\"}\n";
  const char *array =
    "[{\"model_a\": \"x\", \"model_b\": \"y\", \"winner\": \"model_a\", \"tstamp\": 1700000000.5},"
    " {\"model_a\": \"y\", \"model_b\": \"x\", \"winner\": \"tie (bothbad)\"},"
    " {\"model_a\": \"x\", \"model_b\": \"z\", \"winner\": \"both_bad\"},"
    " {\"model_a\": \"z\", \"model_b\": \"y\", \"winner\": \"tie\"}]";
  const char *bad = "{\"model_a\": \"x\", \"model_b\": \"y\", \"winner\": \"model_a\"}\n"
                    "{\"model_a\": \"x\", \"model_b\": \"y\", \"winner\": \"left\"}\n";
  g_autoptr(GBytes) b1 = g_bytes_new_static (lines, strlen (lines));
  g_autoptr(GBytes) b2 = g_bytes_new_static (array, strlen (array));
  g_autoptr(GBytes) b3 = g_bytes_new_static (bad, strlen (bad));
  g_autoptr(KaVoteLog) l1 = ka_vote_log_new ();
  g_autoptr(KaVoteLog) l2 = ka_vote_log_new ();
  g_autoptr(KaVoteLog) l3 = ka_vote_log_new ();
  g_autoptr(KaRatingCounts) c1 = NULL;
  g_autoptr(KaRatingCounts) c2 = NULL;
  GError *error = NULL;
  guint x, y, z;

  g_assert_cmpint (ka_export_detect_input (b1), ==, KA_INPUT_FASTCHAT);
  g_assert_cmpint (ka_export_detect_input (b2), ==, KA_INPUT_FASTCHAT);
  g_assert_true (ka_export_load_fastchat (l1, b1, &error));
  g_assert_no_error (error);
  g_assert_true (ka_export_load_fastchat (l2, b2, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ka_vote_log_get_n_votes (l1), ==, 4);
  c1 = ka_vote_log_aggregate (l1, NULL);
  c2 = ka_vote_log_aggregate (l2, NULL);
  g_assert_true (ka_rating_counts_lookup_model (c1, "x", &x));
  g_assert_true (ka_rating_counts_lookup_model (c1, "y", &y));
  g_assert_true (ka_rating_counts_lookup_model (c1, "z", &z));
  g_assert_cmpint (ka_rating_counts_get (c1, x, y, KA_WINNER_MODEL_A), ==, 1);
  g_assert_cmpint (ka_rating_counts_get (c1, y, x, KA_WINNER_BOTH_BAD), ==, 1);
  g_assert_cmpint (ka_rating_counts_get (c1, x, z, KA_WINNER_BOTH_BAD), ==, 1);
  g_assert_cmpint (ka_rating_counts_get (c1, z, y, KA_WINNER_TIE), ==, 1);
  for (guint a = 0; a < 3; a++)
    for (guint b = 0; b < 3; b++)
      if (a != b)
        for (guint w = 0; w < 4; w++)
          g_assert_cmpint (ka_rating_counts_get (c1, a, b, w), ==, ka_rating_counts_get (c2, a, b, w));

  g_assert_false (ka_export_load_fastchat (l3, b3, &error));
  g_assert_error (error, KA_EXPORT_ERROR, KA_EXPORT_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "2"));
  g_assert_nonnull (strstr (error->message, "winner"));
  g_clear_error (&error);

  g_assert_true (ka_export_winner_from_fastchat ("tie (bothbad)", NULL));
  g_assert_false (ka_export_winner_from_fastchat ("Tie", NULL));
  g_assert_cmpstr (ka_export_winner_to_fastchat (KA_WINNER_BOTH_BAD), ==, "tie (bothbad)");
  g_assert_cmpint (ka_export_parse_time ("1970-01-01T00:00:01.250Z"), ==, 1250000);
  g_assert_cmpint (ka_export_parse_time ("yesterday"), ==, G_MININT64);
}

/* A ballot copied into ballots.jsonl a second time (issue 11): the audit names the copy as
 * appearing twice, even with the manifest re-hashed over the edited file. */
static void
test_audit_duplicated (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *jsonl = read_text (f->dir, KA_EXPORT_BALLOTS_JSONL);
  g_autofree char *edited = NULL;
  g_auto(GStrv) lines = lines_of (jsonl);
  const char *victim = ballot_id_at (f, 0, 12);
  g_autoptr(GPtrArray) problems = NULL;
  GString *copy = g_string_new (NULL);

  /* The first device's seq 12 again, right after itself. */
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '\0')
        continue;
      g_string_append_printf (copy, "%s\n", lines[i]);
      if (i == 11)
        {
          g_assert_nonnull (strstr (lines[i], victim));
          g_string_append_printf (copy, "%s\n", lines[i]);
        }
    }
  edited = g_string_free (copy, FALSE);
  write_text (f->dir, KA_EXPORT_BALLOTS_JSONL, edited);
  rehash_manifest (f->dir);

  problems = audit (f->dir, NULL);
  g_assert_true (has_problem (problems, KA_AUDIT_UNEXPECTED, KA_EXPORT_BALLOTS_JSONL, victim,
                              "line 13"));
  g_assert_true (has_problem (problems, KA_AUDIT_UNEXPECTED, KA_EXPORT_BALLOTS_JSONL, victim,
                              "twice"));

  write_text (f->dir, KA_EXPORT_BALLOTS_JSONL, jsonl);
  rehash_manifest (f->dir);
}

/* ------------------------------------------------------------------------------------ */
/* The streaming export (issue 11): JSON writer, flat scanner, old vs new writer, chains. */

/* Hostile strings: every control character, quotes and backslashes, text that looks like
 * escapes of surrogates, Korean, astral and separator characters. */
static GPtrArray *
hostile_strings (void)
{
  GPtrArray *list = g_ptr_array_new_with_free_func (g_free);
  GString *all = g_string_new (NULL);

  for (guint c = 1; c < 0x80; c++)
    {
      char s[2] = { (char) c, '\0' };

      g_ptr_array_add (list, g_strdup (s));
      g_string_append_c (all, (char) c);
    }
  g_ptr_array_add (list, g_string_free (all, FALSE));
  g_ptr_array_add (list, g_strdup (""));
  g_ptr_array_add (list, g_strdup ("\\ud800 \\udc00 \\ud83d\\ude00 \\u0000 \\\""));
  g_ptr_array_add (list, g_strdup ("모델 가, \"인용\" 그리고 '작은따옴표'\n둘째 줄\t탭"));
  g_ptr_array_add (list, g_strdup ("Model, \"B\"\r\n"));
  g_ptr_array_add (list, g_strdup ("😀 \xe2\x80\xa8 \xe2\x80\xa9 \xef\xbf\xbf \xef\xbb\xbf </script>"));
  g_ptr_array_add (list, g_strdup ("\x1f\x7f\x1e\x01 끝"));
  return list;
}

static char *
generator_text (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

static void
test_json_writer (void)
{
  g_autoptr(GPtrArray) strings = hostile_strings ();
  const double doubles[] = { 0.0, -0.0, 1.0, 1796691498.828, 0.1, 1e21, 1e-7, -2.5e-300,
                             123456789012345678.0, 1765152000.0 };
  const gint64 ints[] = { 0, 1, -1, 42, G_MAXINT64, G_MININT64, 8123 };

  for (guint i = 0; i < strings->len; i++)
    {
      const char *s = g_ptr_array_index (strings, i);
      g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), s);
      g_autofree char *want = generator_text (node);
      g_autoptr(GString) got = g_string_new (NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      GError *error = NULL;

      /* Byte for byte what JsonGenerator writes, so exports stay identical ... */
      ka_json_append_string (got, s);
      g_assert_cmpstr (got->str, ==, want);
      /* ... and json-glib's parser reads back the very string. */
      g_assert_true (json_parser_load_from_data (parser, got->str, got->len, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (json_node_get_string (json_parser_get_root (parser)), ==, s);
    }
  for (guint i = 0; i < G_N_ELEMENTS (doubles); i++)
    {
      g_autoptr(JsonNode) node = json_node_init_double (json_node_alloc (), doubles[i]);
      g_autofree char *want = generator_text (node);
      g_autoptr(GString) got = g_string_new (NULL);

      ka_json_append_double (got, doubles[i]);
      g_assert_cmpstr (got->str, ==, want);
    }
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    {
      g_autoptr(JsonNode) node = json_node_init_int (json_node_alloc (), ints[i]);
      g_autofree char *want = generator_text (node);
      g_autoptr(GString) got = g_string_new (NULL);

      ka_json_append_int (got, ints[i]);
      g_assert_cmpstr (got->str, ==, want);
    }
  {
    g_autoptr(GString) null = g_string_new (NULL);

    ka_json_append_string (null, NULL);
    g_assert_cmpstr (null->str, ==, "null");
  }
}

static void
test_json_scanner (void)
{
  g_autoptr(GPtrArray) strings = hostile_strings ();
  KaJsonFlatObject obj;
  const char *refused[] = {
    "", "[]", "{\"a\": [1]}", "{\"a\": {\"b\": 1}}", "{\"a\": 1} x", "{\"a\": 1, \"a\": 2}",
    "{\"a\": \"\\ud800\"}", "{\"a\": \"\\udc00\"}", "{\"a\": \"\\u0000\"}", "{\"a\": \"x\ty\"}",
    "{\"a\": \"\xff\"}", "{\"a\": 01}", "{\"a\": 1.}", "{\"a\": tru}", "{\"a\" 1}", "{\"a\": 1,}",
    "{\"a\": 1234567890123456789}", "{\"a\": \"\\q\"}",
  };

  ka_json_flat_object_init (&obj);

  /* Every hostile string, as a member name and as a value, written by JsonGenerator. */
  for (guint i = 0; i < strings->len; i++)
    {
      const char *s = g_ptr_array_index (strings, i);
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      gboolean scanned;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "value");
      json_builder_add_string_value (b, s);
      json_builder_set_member_name (b, "n");
      json_builder_add_int_value (b, -42);
      json_builder_set_member_name (b, "x");
      json_builder_add_double_value (b, 1796691498.828);
      json_builder_set_member_name (b, "t");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_set_member_name (b, "z");
      json_builder_add_null_value (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      text = generator_text (root);

      scanned = ka_json_scan_flat_object (&obj, text, strlen (text));
      /* Raw control bytes (JsonGenerator writes 0x1f raw) are left to json-glib. */
      if (strchr (s, 0x1f) != NULL)
        {
          g_assert_false (scanned);
          continue;
        }
      g_assert_true (scanned);
      g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
      g_assert_cmpstr (ka_json_flat_object_get_string (&obj, "value", 0), ==,
                       json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "value"));
      g_assert_cmpstr (ka_json_flat_object_get_string (&obj, "value", 0), ==, s);
      g_assert_cmpint (ka_json_flat_object_get (&obj, "n")->type, ==, KA_JSON_INT);
      g_assert_cmpint (ka_json_flat_object_get (&obj, "n")->int_value, ==, -42);
      g_assert_cmpint (ka_json_flat_object_get (&obj, "x")->type, ==, KA_JSON_DOUBLE);
      g_assert_cmpfloat (ka_json_flat_object_get (&obj, "x")->double_value, ==, 1796691498.828);
      g_assert_cmpint (ka_json_flat_object_get (&obj, "t")->type, ==, KA_JSON_TRUE);
      g_assert_cmpint (ka_json_flat_object_get (&obj, "z")->type, ==, KA_JSON_NULL);
      g_assert_null (ka_json_flat_object_get_string (&obj, "z", 4));
    }

  /* Real escapes of a surrogate pair, written by hand, decode to the astral character. */
  {
    const char *text = "{ \"e\" : \"\\ud83d\\ude00\\u00e9\\/\\b\" }";

    g_assert_true (ka_json_scan_flat_object (&obj, text, strlen (text)));
    g_assert_cmpstr (ka_json_flat_object_get_string (&obj, "e", 0), ==, "😀é/\b");
  }
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *shown = g_strescape (refused[i], NULL);

      g_test_message ("refused: %s", shown);
      g_assert_false (ka_json_scan_flat_object (&obj, refused[i], strlen (refused[i])));
    }
  ka_json_flat_object_clear (&obj);
}

/* The writer of earlier versions, kept here as the reference: a JsonNode tree per ballot
 * through JsonGenerator, the CSV from the same fields. */
static GString *
reference_jsonl (GPtrArray *sorted)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < sorted->len; i++)
    {
      g_autoptr(JsonNode) node = ka_ballot_to_json (g_ptr_array_index (sorted, i));
      g_autofree char *line = generator_text (node);

      g_string_append (out, line);
      g_string_append_c (out, '\n');
    }
  return out;
}

static void
reference_csv_append (GString    *out,
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

static void
reference_csv_and_battles (GPtrArray *sorted,
                           GPtrArray *packs,
                           GString   *csv,
                           GString   *battles)
{
  guint n_battles = 0;

  g_string_append (csv, "\xef\xbb\xbf");
  for (guint c = 0; c < N_COLUMNS; c++)
    {
      if (c > 0)
        g_string_append_c (csv, ',');
      g_string_append (csv, _ka_export_csv_columns[c]);
    }
  g_string_append_c (csv, '\n');
  g_string_append (battles, "[");

  for (guint i = 0; i < sorted->len; i++)
    {
      const KaBallot *b = g_ptr_array_index (sorted, i);
      const char *ma, *mb, *category;
      char *fields[N_COLUMNS];
      guint n_turns;
      RevealStatus status = _ka_export_reveal (packs, b, &ma, &mb, &category, &n_turns);

      _ka_export_ballot_fields (b, category, ma, mb, fields);
      for (guint c = 0; c < N_COLUMNS; c++)
        {
          if (c > 0)
            g_string_append_c (csv, ',');
          reference_csv_append (csv, fields[c]);
          g_free (fields[c]);
        }
      g_string_append_c (csv, '\n');

      if (!b->identity_flag && status == REVEAL_OK)
        {
          g_autoptr(JsonBuilder) j = json_builder_new ();
          g_autofree char *judge = g_strdup_printf ("arena_user_%s", b->device_id);
          g_autoptr(JsonNode) node = NULL;
          g_autofree char *text = NULL;
          KaPack *pack = _ka_export_find_pack (packs, b->pack_id);
          const char *language = ka_pack_get_language (pack);

          json_builder_begin_object (j);
          json_builder_set_member_name (j, "question_id");
          json_builder_add_string_value (j, b->prompt_id);
          json_builder_set_member_name (j, "model_a");
          json_builder_add_string_value (j, ma);
          json_builder_set_member_name (j, "model_b");
          json_builder_add_string_value (j, mb);
          json_builder_set_member_name (j, "winner");
          json_builder_add_string_value (j, ka_export_winner_to_fastchat (b->winner));
          json_builder_set_member_name (j, "judge");
          json_builder_add_string_value (j, judge);
          json_builder_set_member_name (j, "turn");
          json_builder_add_int_value (j, n_turns);
          json_builder_set_member_name (j, "anony");
          json_builder_add_boolean_value (j, TRUE);
          json_builder_set_member_name (j, "language");
          json_builder_add_string_value (j, g_strcmp0 (language, "ko") == 0 ? "Korean" : language);
          json_builder_set_member_name (j, "tstamp");
          json_builder_add_double_value (j, _ka_export_tstamp_of (b));
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
          node = json_builder_get_root (j);
          text = generator_text (node);
          g_string_append (battles, n_battles > 0 ? ",\n" : "\n");
          g_string_append (battles, text);
          n_battles++;
        }
    }
  g_string_append (battles, "\n]\n");
}

static void
assert_file_is (const char *dir,
                const char *name,
                GString    *want)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *got = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &got, &len, NULL));
  g_assert_cmpuint (len, ==, want->len);
  g_assert_true (memcmp (got, want->str, len) == 0);
}

/* A real store with a few thousand ballots: the streaming writer, from SQLite rows and
 * from an array, writes exactly the bytes the JsonNode writer wrote, and audits clean. */
static void
test_writer_identical (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("ka-export-identical-XXXXXX", &error);
  g_autofree char *db = g_build_filename (tmp, "store.db", NULL);
  g_autofree char *from_db = g_build_filename (tmp, "from-db", NULL);
  g_autofree char *from_array = g_build_filename (tmp, "from-array", NULL);
  g_autoptr(KaPack) pack = make_pack ();
  g_autoptr(GPtrArray) packs = g_ptr_array_new ();
  g_autoptr(GPtrArray) ballots = g_ptr_array_new_with_free_func ((GDestroyNotify) ka_ballot_free);
  g_autoptr(GPtrArray) sorted = NULL;
  g_autoptr(GString) jsonl = NULL;
  g_autoptr(GString) csv = g_string_new (NULL);
  g_autoptr(GString) battles = g_string_new (NULL);
  g_autoptr(KaStore) store = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  KaRatingOptions options;
  guint n = 0;
  const char *names[] = { KA_EXPORT_BALLOTS_CSV, KA_EXPORT_BALLOTS_JSONL, KA_EXPORT_FASTCHAT,
                          KA_EXPORT_TALLY_CSV };

  g_assert_no_error (error);
  g_ptr_array_add (packs, pack);
  cast_ballots (db, 3000, 11, ballots);
  ka_rating_options_init (&options);
  options.bootstrap_rounds = 50;

  store = ka_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_true (ka_export_write_database (from_db, db, packs, &options, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3000);
  g_assert_true (ka_export_write (from_array, ballots, packs, &options, &error));
  g_assert_no_error (error);

  sorted = g_ptr_array_new ();
  for (guint i = 0; i < ballots->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (ballots, i));
  g_ptr_array_sort (sorted, _ka_export_compare_ballots);
  jsonl = reference_jsonl (sorted);
  reference_csv_and_battles (sorted, packs, csv, battles);

  assert_file_is (from_db, KA_EXPORT_BALLOTS_JSONL, jsonl);
  assert_file_is (from_db, KA_EXPORT_BALLOTS_CSV, csv);
  assert_file_is (from_db, KA_EXPORT_FASTCHAT, battles);
  {
    g_autoptr(GBytes) bytes = g_bytes_new_static (battles->str, battles->len);
    g_autofree char *tally = _ka_export_tally_csv_text (bytes, &options, &error);
    g_autoptr(GString) want = NULL;

    g_assert_no_error (error);
    want = g_string_new (tally);
    assert_file_is (from_db, KA_EXPORT_TALLY_CSV, want);
  }
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *a = read_text (from_db, names[i]);
      g_autofree char *b = read_text (from_array, names[i]);

      g_assert_cmpstr (a, ==, b);
    }

  problems = audit (from_db, packs);
  g_assert_cmpuint (problems->len, ==, 0);
  g_clear_pointer (&problems, g_ptr_array_unref);
  problems = audit (from_db, NULL);
  g_assert_cmpuint (problems->len, ==, 0);

  g_clear_object (&store);
  remove_tree (tmp);
}

/* One device's chain, in seq order, from the fixture's ballots. */
static GPtrArray *
device_chain (GPtrArray *ballots)
{
  GPtrArray *chain = g_ptr_array_new ();
  const char *device = ((const KaBallot *) g_ptr_array_index (ballots, 0))->device_id;

  for (guint i = 0; i < ballots->len; i++)
    {
      KaBallot *b = g_ptr_array_index (ballots, i);

      if (g_str_equal (b->device_id, device))
        g_ptr_array_add (chain, b);
    }
  g_ptr_array_sort (chain, _ka_export_compare_ballots);
  return chain;
}

/* Chain breaks have codes; the audit's kinds come from the codes, and its messages are
 * those of ka_ballot_chain_verify(). */
static void
test_audit_chain_codes (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) chain = device_chain (f->ballots);
  struct
  {
    const char   *what;
    KaAuditError  code;
    KaAuditKind   kind;
  } cases[] = {
    { "drop", KA_AUDIT_ERROR_CHAIN_MISSING, KA_AUDIT_MISSING },
    { "swap", KA_AUDIT_ERROR_CHAIN_REORDERED, KA_AUDIT_REORDERED },
    { "alter", KA_AUDIT_ERROR_CHAIN_HASH, KA_AUDIT_ALTERED },
    { "replace", KA_AUDIT_ERROR_CHAIN_REPLACED, KA_AUDIT_ALTERED },
    { "head", KA_AUDIT_ERROR_CHAIN_MISSING, KA_AUDIT_MISSING },
  };

  g_assert_true (ka_audit_verify_chain (chain, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) broken = g_ptr_array_new_with_free_func ((GDestroyNotify) ka_ballot_free);
      g_autoptr(GError) ours = NULL;
      g_autoptr(GError) theirs = NULL;

      for (guint j = 0; j < chain->len; j++)
        g_ptr_array_add (broken, ka_ballot_copy (g_ptr_array_index (chain, j)));
      if (g_str_equal (cases[i].what, "drop"))
        g_ptr_array_remove_index (broken, 10);
      else if (g_str_equal (cases[i].what, "swap"))
        {
          gpointer t = broken->pdata[10];

          broken->pdata[10] = broken->pdata[11];
          broken->pdata[11] = t;
        }
      else if (g_str_equal (cases[i].what, "alter"))
        ((KaBallot *) broken->pdata[10])->winner ^= 1;
      else if (g_str_equal (cases[i].what, "replace"))
        {
          /* A ballot replaced by another that hashes right but links on from nothing. */
          KaBallot *b = broken->pdata[10];

          b->decision_ms += 1;
          g_free (b->hash);
          b->hash = ka_ballot_compute_hash (b);
        }
      else
        g_ptr_array_remove_index (broken, 0);

      g_assert_false (ka_audit_verify_chain (broken, &ours));
      g_assert_false (ka_ballot_chain_verify (broken, NULL, &theirs));
      g_test_message ("%s: %s", cases[i].what, ours->message);
      g_assert_error (ours, KA_AUDIT_ERROR, (gint) cases[i].code);
      g_assert_cmpstr (ours->message, ==, theirs->message);
      g_assert_cmpint (ka_audit_kind_from_error (ours), ==, cases[i].kind);
    }
}

/* Rewording a chain-break message (or translating it) does not change how the audit
 * sorts it: each message below says the opposite of its code. */
static void
test_audit_reworded (void)
{
  struct
  {
    KaAuditError  code;
    const char   *message;
    KaAuditKind   kind;
  } cases[] = {
    { KA_AUDIT_ERROR_CHAIN_MISSING, "reordered: altered: its hash does not match", KA_AUDIT_MISSING },
    { KA_AUDIT_ERROR_CHAIN_REORDERED, "missing or altered: missing", KA_AUDIT_REORDERED },
    { KA_AUDIT_ERROR_CHAIN_REPLACED, "reordered: missing", KA_AUDIT_ALTERED },
    { KA_AUDIT_ERROR_CHAIN_HASH, "missing: 순서가 바뀜", KA_AUDIT_ALTERED },
    { KA_AUDIT_ERROR_CHAIN_MISSING, "투표가 빠졌습니다", KA_AUDIT_MISSING },
    { KA_AUDIT_ERROR_CHAIN_REORDERED, "", KA_AUDIT_REORDERED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (KA_AUDIT_ERROR, cases[i].code,
                                                     cases[i].message);

      g_assert_cmpint (ka_audit_kind_from_error (error), ==, cases[i].kind);
    }
}

/* The streaming pass and the full audit agree: an intact export passes the stream; an
 * export whose manifest was recomputed after a CSV edit does not, and the full audit
 * names the edit. */
static void
test_audit_stream (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *csv = NULL;
  g_autofree char *edited = NULL;
  const KaBallot *b;

  g_assert_true (_ka_export_audit_stream (f->dir, f->packs));
  g_assert_true (_ka_export_audit_stream (f->dir, NULL));

  /* A winner changed in the CSV only (the other files, and the hashes, agree). */
  b = g_ptr_array_index (f->ballots, 3);
  csv = read_text (f->dir, KA_EXPORT_BALLOTS_CSV);
  {
    g_autofree char *needle = g_strdup_printf (",%s,%s,", ka_winner_to_string (b->winner), b->shown_at);
    g_autofree char *other = g_strdup_printf (",%s,%s,", b->winner == KA_WINNER_TIE ? "model_a" : "tie",
                                              b->shown_at);
    char *row = strstr (csv, b->ballot_id);
    char *at = row != NULL ? strstr (row, needle) : NULL;
    g_autoptr(GString) s = g_string_new (csv);

    g_assert_nonnull (at);
    g_string_erase (s, at - csv, strlen (needle));
    g_string_insert (s, at - csv, other);
    edited = g_strdup (s->str);
  }
  write_text (f->dir, KA_EXPORT_BALLOTS_CSV, edited);
  rehash_manifest (f->dir);
  g_assert_false (_ka_export_audit_stream (f->dir, f->packs));
  {
    g_autoptr(GPtrArray) problems = audit (f->dir, f->packs);

    g_assert_true (has_problem (problems, KA_AUDIT_ALTERED, KA_EXPORT_BALLOTS_CSV, b->ballot_id,
                                "winner"));
  }
}

/* The chain check of the writer and the stream recomputes canonical JSON as ka-ballot.c. */
static void
test_ballot_hash (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GString) scratch = g_string_new (NULL);

  for (guint i = 0; i < f->ballots->len; i++)
    {
      KaBallot *b = g_ptr_array_index (f->ballots, i);
      g_autoptr(KaBallot) copy = ka_ballot_copy (b);

      g_assert_true (_ka_export_ballot_hash_ok (b, scratch));
      g_assert_true (ka_ballot_verify_hash (b));
      g_free (copy->session_id);
      copy->session_id = g_strdup ("세션 \"x\" \\ y");
      g_assert_false (_ka_export_ballot_hash_ok (copy, scratch));
      g_free (copy->hash);
      copy->hash = ka_ballot_compute_hash (copy);
      g_assert_true (_ka_export_ballot_hash_ok (copy, scratch));
    }
}

/* The writer reads `voted_at` without a GDateTime; it must agree with
 * ka_export_parse_time() on every date, and fall back to it on anything else. */
static void
test_tstamp (void)
{
  const char *odd[] = { "2026-02-29T10:00:00.000Z", "2026-13-01T10:00:00.000Z",
                        "2026-12-01T24:00:00.000Z", "2026-12-01T10:00:00Z",
                        "2026-12-01T10:00:00.123+09:00", "garbage", "" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  KaBallot b = { 0, };

  for (guint i = 0; i < 20000; i++)
    {
      gint64 secs = g_rand_int_range (rand, 0, G_MAXINT32) * (gint64) 3 - G_GINT64_CONSTANT (2000000000);
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (secs);
      g_autoptr(GDateTime) with_ms = g_date_time_add (dt, g_rand_int_range (rand, 0, 1000) * 1000);
      g_autofree char *text = ka_timestamp_format (with_ms);
      gint64 us = ka_export_parse_time (text);

      b.voted_at = text;
      g_assert_cmpfloat (_ka_export_tstamp_of (&b), ==, (double) us / G_USEC_PER_SEC);
    }
  for (guint i = 0; i < G_N_ELEMENTS (odd); i++)
    {
      gint64 us = ka_export_parse_time (odd[i]);

      b.voted_at = (char *) odd[i];
      g_assert_cmpfloat (_ka_export_tstamp_of (&b), ==, us == G_MININT64 ? 0.0 : (double) us / G_USEC_PER_SEC);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/ka/export/roundtrip", Fixture, NULL, fixture_set_up, test_roundtrip, fixture_tear_down);
  g_test_add ("/ka/export/audit-altered", Fixture, NULL, fixture_set_up, test_audit_altered, fixture_tear_down);
  g_test_add ("/ka/export/audit-dropped", Fixture, NULL, fixture_set_up, test_audit_dropped, fixture_tear_down);
  g_test_add ("/ka/export/audit-swapped", Fixture, NULL, fixture_set_up, test_audit_swapped, fixture_tear_down);
  g_test_add ("/ka/export/audit-files", Fixture, NULL, fixture_set_up, test_audit_files, fixture_tear_down);
  g_test_add ("/ka/export/audit-duplicated", Fixture, NULL, fixture_set_up, test_audit_duplicated, fixture_tear_down);
  g_test_add_func ("/ka/export/fastchat", test_fastchat);
  g_test_add_func ("/ka/export/json-writer", test_json_writer);
  g_test_add_func ("/ka/export/json-scanner", test_json_scanner);
  g_test_add_func ("/ka/export/writer-identical", test_writer_identical);
  g_test_add ("/ka/export/audit-chain-codes", Fixture, NULL, fixture_set_up, test_audit_chain_codes, fixture_tear_down);
  g_test_add_func ("/ka/export/audit-reworded", test_audit_reworded);
  g_test_add ("/ka/export/audit-stream", Fixture, NULL, fixture_set_up, test_audit_stream, fixture_tear_down);
  g_test_add ("/ka/export/ballot-hash", Fixture, NULL, fixture_set_up, test_ballot_hash, fixture_tear_down);
  g_test_add_func ("/ka/export/tstamp", test_tstamp);

  return g_test_run ();
}
