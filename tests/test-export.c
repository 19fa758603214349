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

  return g_test_run ();
}
