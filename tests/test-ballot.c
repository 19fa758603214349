/* test-ballot.c: canonical JSON, hash, JSON round trip, validation, hash chain
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-ballot"

#include "config.h"

#include <string.h>

#include "ka-ballot.h"

/* The fixed ballot below, canonicalised and hashed independently of this code by the
 * recipe in docs/ballots.md (Python 3, hashlib):
 *
 *   def enc(s): return '"' + re.sub(r'["\\\x00-\x1f]', lambda m: '\\' + m.group()
 *       if m.group() in '"\\' else '\\u%04x' % ord(m.group()), s) + '"'
 *   canonical = '{' + ','.join(enc(k) + ':' + value(k) for k in sorted(b)) + '}'
 *   hashlib.sha256(canonical.encode()).hexdigest()
 */
#define FIXED_PREV_HASH "6da0633528deaa0144e7b058315f0b753ec0b945163a72bf96a0d18180f9de0d"
#define FIXED_CANONICAL \
  "{\"ballot_id\":\"6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f\",\"decision_ms\":8123," \
  "\"device_id\":\"d7e8f9a0-1b2c-4d3e-9f40-5a6b7c8d9e0f\",\"identity_flag\":true," \
  "\"mode\":\"kiosk\",\"pack_id\":\"sample-ko-2026\",\"prev_hash\":\"" FIXED_PREV_HASH "\"," \
  "\"prompt_id\":\"프롬프트/1\",\"response_a\":\"r1\",\"response_b\":\"r2\",\"seq\":42," \
  "\"session_id\":\"session \\\"7\\\" \\\\ 세션\",\"shown_at\":\"2026-11-29T12:00:00.123Z\"," \
  "\"ui_language\":\"ko\",\"voted_at\":\"2026-11-29T12:00:08.246Z\",\"winner\":\"tie\"}"
#define FIXED_HASH "07cd1a6988a89ed14fc7f17194ac32858d97ca698c07159fa5b3dd6ab68278c6"

static KaBallot *
fixed_ballot (void)
{
  KaBallot *b = ka_ballot_new ();

  b->ballot_id = g_strdup ("6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f");
  b->device_id = g_strdup ("d7e8f9a0-1b2c-4d3e-9f40-5a6b7c8d9e0f");
  b->session_id = g_strdup ("session \"7\" \\ 세션");
  b->seq = 42;
  b->pack_id = g_strdup ("sample-ko-2026");
  b->prompt_id = g_strdup ("프롬프트/1");
  b->response_a = g_strdup ("r1");
  b->response_b = g_strdup ("r2");
  b->winner = KA_WINNER_TIE;
  b->shown_at = g_strdup ("2026-11-29T12:00:00.123Z");
  b->voted_at = g_strdup ("2026-11-29T12:00:08.246Z");
  b->decision_ms = 8123;
  b->mode = KA_MODE_KIOSK;
  b->ui_language = g_strdup ("ko");
  b->identity_flag = TRUE;
  b->prev_hash = g_strdup (FIXED_PREV_HASH);
  b->hash = ka_ballot_compute_hash (b);

  return b;
}

static void
test_strings (void)
{
  static const struct { KaWinner w; const char *s; } winners[] = {
    { KA_WINNER_MODEL_A, "model_a" }, { KA_WINNER_MODEL_B, "model_b" },
    { KA_WINNER_TIE, "tie" }, { KA_WINNER_BOTH_BAD, "both_bad" },
  };
  KaWinner w = KA_WINNER_TIE;
  KaMode m = KA_MODE_CITIZEN;

  for (guint i = 0; i < G_N_ELEMENTS (winners); i++)
    {
      g_assert_cmpstr (ka_winner_to_string (winners[i].w), ==, winners[i].s);
      g_assert_true (ka_winner_from_string (winners[i].s, &w));
      g_assert_cmpint (w, ==, winners[i].w);
    }
  g_assert_false (ka_winner_from_string ("Model_A", &w));
  g_assert_false (ka_winner_from_string ("", &w));
  g_assert_false (ka_winner_from_string (NULL, &w));
  g_assert_null (ka_winner_to_string ((KaWinner) 17));

  g_assert_cmpstr (ka_mode_to_string (KA_MODE_CITIZEN), ==, "citizen");
  g_assert_cmpstr (ka_mode_to_string (KA_MODE_KIOSK), ==, "kiosk");
  g_assert_true (ka_mode_from_string ("kiosk", &m));
  g_assert_cmpint (m, ==, KA_MODE_KIOSK);
  g_assert_false (ka_mode_from_string ("KIOSK", &m));
  g_assert_null (ka_mode_to_string ((KaMode) 5));
}

static void
test_canonical_json (void)
{
  g_autoptr(KaBallot) b = fixed_ballot ();
  g_autofree char *without = ka_ballot_canonical_json (b, FALSE);
  g_autofree char *with = ka_ballot_canonical_json (b, TRUE);
  g_autofree char *escaped = NULL;
  g_autofree char *expected_with = NULL;

  g_assert_cmpstr (without, ==, FIXED_CANONICAL);

  /* With the hash: the same text with "hash" in its sorted place (after device_id). */
  expected_with = g_strdup (FIXED_CANONICAL);
  {
    const char *cut = strstr (FIXED_CANONICAL, "\"identity_flag\"");
    g_autofree char *head = g_strndup (FIXED_CANONICAL, cut - FIXED_CANONICAL);

    g_free (expected_with);
    expected_with = g_strdup_printf ("%s\"hash\":\"%s\",%s", head, b->hash, cut);
  }
  g_assert_cmpstr (with, ==, expected_with);

  /* Escapes: only " \ and bytes < 0x20 (as \u00xx, lowercase); DEL and non-ASCII raw. */
  g_free (b->response_a);
  b->response_a = g_strdup ("line1\nline2\t\x01\x1f\x7f é\"\\/");
  escaped = ka_ballot_canonical_json (b, FALSE);
  g_assert_nonnull (strstr (escaped,
                            "\"response_a\":\"line1\\u000aline2\\u0009\\u0001\\u001f\x7f é"
                            "\\\"\\\\/\""));

  /* A NULL string is written as null (a draft without its chain fields). */
  g_clear_pointer (&b->ballot_id, g_free);
  g_free (escaped);
  escaped = ka_ballot_canonical_json (b, FALSE);
  g_assert_true (g_str_has_prefix (escaped, "{\"ballot_id\":null,\"decision_ms\":8123,"));
}

static void
test_known_hash (void)
{
  g_autoptr(KaBallot) b = fixed_ballot ();
  g_autofree char *hash = ka_ballot_compute_hash (b);

  g_assert_cmpstr (hash, ==, FIXED_HASH);
  g_assert_true (ka_ballot_verify_hash (b));

  /* The hash covers every other field, and ignores its own old value. */
  b->decision_ms++;
  g_assert_false (ka_ballot_verify_hash (b));
  b->decision_ms--;
  b->identity_flag = FALSE;
  g_assert_false (ka_ballot_verify_hash (b));
  b->identity_flag = TRUE;
  g_free (b->hash);
  b->hash = g_strdup ("f" FIXED_HASH);
  b->hash[64] = '\0';
  g_assert_false (ka_ballot_verify_hash (b));
  g_free (hash);
  hash = ka_ballot_compute_hash (b);
  g_assert_cmpstr (hash, ==, FIXED_HASH);
}

static KaBallot *
parse_ballot (const char  *text,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, text, -1, error))
    return NULL;
  return ka_ballot_new_from_json (json_parser_get_root (parser), error);
}

static void
test_round_trip (void)
{
  g_autoptr(KaBallot) b = fixed_ballot ();
  g_autoptr(KaBallot) back = NULL;
  g_autoptr(KaBallot) back2 = NULL;
  g_autoptr(JsonNode) node = ka_ballot_to_json (b);
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *pretty = NULL;
  g_autofree char *canonical = ka_ballot_canonical_json (b, TRUE);

  g_assert_cmpuint (json_object_get_size (json_node_get_object (node)), ==, 17);

  /* Through an ordinary (pretty, unsorted) writer... */
  json_generator_set_root (gen, node);
  json_generator_set_pretty (gen, TRUE);
  pretty = json_generator_to_data (gen, NULL);
  back = parse_ballot (pretty, &error);
  g_assert_no_error (error);
  g_assert_true (ka_ballot_equal (b, back));
  g_assert_true (ka_ballot_verify_hash (back));

  /* ...and through the canonical text. */
  back2 = parse_ballot (canonical, &error);
  g_assert_no_error (error);
  g_assert_true (ka_ballot_equal (b, back2));

  /* equal() really compares. */
  back2->seq++;
  g_assert_false (ka_ballot_equal (b, back2));

  /* An altered ballot is still read (chain verification reports it). */
  {
    g_autoptr(KaBallot) altered = NULL;
    g_autofree char *text = g_strdup (canonical);
    char *p = strstr (text, "\"winner\":\"tie\"");

    memcpy (p, "\"winner\":\"tiX\"", 14);
    g_assert_null (parse_ballot (text, &error));
    g_assert_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID);
    g_clear_error (&error);

    g_free (text);
    text = g_strdup (canonical);
    p = strstr (text, "\"decision_ms\":8123");
    memcpy (p, "\"decision_ms\":9123", 18);
    altered = parse_ballot (text, &error);
    g_assert_no_error (error);
    g_assert_false (ka_ballot_verify_hash (altered));
  }

  /* The admin tool's JSON Lines add "delivery": read, and ignored. */
  {
    g_autoptr(JsonNode) annotated = ka_ballot_to_json (b);
    g_autoptr(KaBallot) read = NULL;

    json_object_set_string_member (json_node_get_object (annotated), "delivery", "delivered");
    read = ka_ballot_new_from_json (annotated, &error);
    g_assert_no_error (error);
    g_assert_true (ka_ballot_equal (b, read));
  }

  /* Copy is deep and equal. */
  {
    g_autoptr(KaBallot) copy = ka_ballot_copy (b);

    g_assert_true (ka_ballot_equal (b, copy));
    g_assert_true (copy->pack_id != b->pack_id);
  }
}

/* One invalid document per case: the member to change and its new JSON value (NULL to
 * remove it), and the field the error must name. */
static const struct
{
  const char *member;
  const char *json_value;
  const char *named;
} invalid_cases[] = {
  { "ballot_id", NULL, "ballot_id" },
  { "ballot_id", "\"not-a-uuid\"", "ballot_id" },
  { "device_id", "\"\"", "device_id" },
  { "session_id", "17", "session_id" },
  { "seq", "\"42\"", "seq" },
  { "seq", "0", "seq" },
  { "seq", "4.2e1", "seq" },
  { "pack_id", "null", "pack_id" },
  { "prompt_id", "\"a\\u0001b\"", "prompt_id" },
  { "response_b", "\"r1\"", "response_b" },
  { "winner", "\"model_c\"", "winner" },
  { "winner", "1", "winner" },
  { "shown_at", "\"yesterday\"", "shown_at" },
  { "voted_at", "\"2026-11-29T21:00:08.246+09:00\"", "voted_at" },
  { "voted_at", "\"2026-13-29T12:00:08.246Z\"", "voted_at" },
  { "decision_ms", "-1", "decision_ms" },
  { "mode", "\"KIOSK\"", "mode" },
  { "ui_language", "\"ko kr\"", "ui_language" },
  { "identity_flag", "\"false\"", "identity_flag" },
  { "identity_flag", NULL, "identity_flag" },
  { "prev_hash", "\"" "6DA0633528DEAA0144E7B058315F0B753EC0B945163A72BF96A0D18180F9DE0D" "\"",
    "prev_hash" },
  { "hash", "\"abc\"", "hash" },
  { "delivery", "\"lost\"", "delivery" },
  { "receipt", "\"{}\"", "receipt" },
};

static void
test_invalid (void)
{
  g_autoptr(KaBallot) b = fixed_ballot ();
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      g_autoptr(JsonNode) node = ka_ballot_to_json (b);
      g_autoptr(KaBallot) parsed = NULL;
      g_autofree char *needle = g_strdup_printf ("'%s'", invalid_cases[i].named);
      JsonObject *object = json_node_get_object (node);

      if (invalid_cases[i].json_value == NULL)
        json_object_remove_member (object, invalid_cases[i].member);
      else
        json_object_set_member (object, invalid_cases[i].member,
                                json_from_string (invalid_cases[i].json_value, NULL));

      parsed = ka_ballot_new_from_json (node, &error);
      g_test_message ("case %u (%s = %s): %s", i, invalid_cases[i].member,
                      invalid_cases[i].json_value ? invalid_cases[i].json_value : "(removed)",
                      error ? error->message : "accepted");
      g_assert_null (parsed);
      g_assert_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, needle));
      g_clear_error (&error);
    }

  /* Not an object at all. */
  {
    g_autoptr(JsonNode) array = json_from_string ("[1, 2]", NULL);

    g_assert_null (ka_ballot_new_from_json (array, &error));
    g_assert_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID);
    g_clear_error (&error);
  }

  /* The fixed ballot itself is valid (so the failures above come from the mutations). */
  g_assert_true (ka_ballot_validate (b, TRUE, &error));
  g_assert_no_error (error);
}

/* A chain of @n ballots of one device, properly linked. */
static GPtrArray *
make_chain (guint n)
{
  GPtrArray *chain = g_ptr_array_new_with_free_func ((GDestroyNotify) ka_ballot_free);
  const char *prev = KA_BALLOT_GENESIS_HASH;

  for (guint i = 0; i < n; i++)
    {
      KaBallot *b = fixed_ballot ();

      g_free (b->ballot_id);
      b->ballot_id = g_uuid_string_random ();
      b->seq = i + 1;
      b->winner = (KaWinner) (i % 4);
      b->decision_ms = 1000 + i;
      g_free (b->prev_hash);
      b->prev_hash = g_strdup (prev);
      g_free (b->hash);
      b->hash = ka_ballot_compute_hash (b);
      prev = b->hash;
      g_ptr_array_add (chain, b);
    }

  return chain;
}

static void
assert_break (GPtrArray  *chain,
              const char *kind,
              const char *seq_text,
              const char *ballot_id)
{
  g_autoptr(GError) error = NULL;
  char *head = (char *) "unchanged";

  g_assert_false (ka_ballot_chain_verify (chain, &head, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_CHAIN_BREAK);
  g_assert_null (head);
  g_assert_nonnull (strstr (error->message, kind));
  g_assert_nonnull (strstr (error->message, seq_text));
  g_assert_nonnull (strstr (error->message, ballot_id));
}

static void
test_chain (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *head = NULL;

  /* Intact, and empty. */
  {
    g_autoptr(GPtrArray) chain = make_chain (6);
    g_autoptr(GPtrArray) empty = g_ptr_array_new ();

    g_assert_true (ka_ballot_chain_verify (chain, &head, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (head, ==, ((KaBallot *) g_ptr_array_index (chain, 5))->hash);
    g_clear_pointer (&head, g_free);

    g_assert_true (ka_ballot_chain_verify (empty, &head, &error));
    g_assert_cmpstr (head, ==, KA_BALLOT_GENESIS_HASH);
    g_clear_pointer (&head, g_free);

    /* head is optional */
    g_assert_true (ka_ballot_chain_verify (chain, NULL, &error));
  }

  /* Missing: the third ballot removed. */
  {
    g_autoptr(GPtrArray) chain = make_chain (6);
    KaBallot *fourth = g_ptr_array_index (chain, 3);

    g_ptr_array_remove_index (chain, 2);
    assert_break (chain, "missing", "seq 4", fourth->ballot_id);
  }

  /* Missing: the first ballot removed (the chain must start from the genesis hash). */
  {
    g_autoptr(GPtrArray) chain = make_chain (3);
    KaBallot *second = g_ptr_array_index (chain, 1);

    g_ptr_array_remove_index (chain, 0);
    assert_break (chain, "missing", "seq 2", second->ballot_id);
  }

  /* Missing, covered up: later ballots renumbered and re-hashed, but the link is gone. */
  {
    g_autoptr(GPtrArray) chain = make_chain (5);
    KaBallot *b;

    g_ptr_array_remove_index (chain, 2);
    for (guint i = 2; i < chain->len; i++)
      {
        b = g_ptr_array_index (chain, i);
        b->seq = i + 1;
        g_free (b->hash);
        b->hash = ka_ballot_compute_hash (b);
      }
    b = g_ptr_array_index (chain, 2);
    assert_break (chain, "missing", "seq 3", b->ballot_id);
  }

  /* Altered: a winner changed without re-hashing. */
  {
    g_autoptr(GPtrArray) chain = make_chain (6);
    KaBallot *third = g_ptr_array_index (chain, 2);

    third->winner = third->winner == KA_WINNER_MODEL_A ? KA_WINNER_MODEL_B : KA_WINNER_MODEL_A;
    assert_break (chain, "altered", "seq 3", third->ballot_id);
  }

  /* Altered and re-hashed: the next ballot's link no longer matches. */
  {
    g_autoptr(GPtrArray) chain = make_chain (6);
    KaBallot *third = g_ptr_array_index (chain, 2);
    KaBallot *fourth = g_ptr_array_index (chain, 3);

    third->winner = third->winner == KA_WINNER_MODEL_A ? KA_WINNER_MODEL_B : KA_WINNER_MODEL_A;
    g_free (third->hash);
    third->hash = ka_ballot_compute_hash (third);
    assert_break (chain, "altered", "seq 4", fourth->ballot_id);
  }

  /* Swapped: two ballots exchange places. */
  {
    g_autoptr(GPtrArray) chain = make_chain (6);
    KaBallot *third = g_ptr_array_index (chain, 2);
    KaBallot *fourth = g_ptr_array_index (chain, 3);

    chain->pdata[2] = fourth;
    chain->pdata[3] = third;
    assert_break (chain, "reordered", "seq 4", fourth->ballot_id);
  }

  /* Swapped with their seq numbers swapped too (and re-hashed): the links give it away,
   * though the verifier cannot tell this from a replaced ballot. */
  {
    g_autoptr(GPtrArray) chain = make_chain (6);
    KaBallot *third = g_ptr_array_index (chain, 2);
    KaBallot *fourth = g_ptr_array_index (chain, 3);

    third->seq = 4;
    fourth->seq = 3;
    g_free (third->hash);
    third->hash = ka_ballot_compute_hash (third);
    g_free (fourth->hash);
    fourth->hash = ka_ballot_compute_hash (fourth);
    chain->pdata[2] = fourth;
    chain->pdata[3] = third;
    assert_break (chain, "missing or altered", "seq 3", fourth->ballot_id);
  }

  /* A seq repeated. */
  {
    g_autoptr(GPtrArray) chain = make_chain (3);
    KaBallot *dup = ka_ballot_copy (g_ptr_array_index (chain, 2));
    g_autofree char *id = g_strdup (dup->ballot_id);

    g_ptr_array_add (chain, dup);
    assert_break (chain, "reordered", "seq 3", id);
  }

  /* Two devices mixed up. */
  {
    g_autoptr(GPtrArray) chain = make_chain (3);
    KaBallot *b = g_ptr_array_index (chain, 1);

    g_free (b->device_id);
    b->device_id = g_strdup ("other-device");
    g_assert_false (ka_ballot_chain_verify (chain, NULL, &error));
    g_assert_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID);
    g_clear_error (&error);
  }
}

static void
test_timestamp (void)
{
  g_autoptr(GTimeZone) seoul = g_time_zone_new_identifier ("+09:00");
  g_autoptr(GDateTime) dt = g_date_time_new (seoul, 2026, 11, 30, 1, 2, 3.0456789);
  g_autoptr(GDateTime) parsed = NULL;
  g_autofree char *text = ka_timestamp_format (dt);
  g_autofree char *now = ka_timestamp_now ();

  g_assert_cmpstr (text, ==, "2026-11-29T16:02:03.045Z");

  g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$",
                                       now, 0, 0));
  parsed = g_date_time_new_from_iso8601 (now, NULL);
  g_assert_nonnull (parsed);
  g_assert_cmpint (ABS (g_date_time_to_unix (parsed) - g_get_real_time () / G_USEC_PER_SEC),
                   <=, 5);
}

/* A seq that skips a number while the hash links stay intact (a store that numbered
 * wrongly, or a ballot re-sealed with another seq): only the seq check sees it (issue 11,
 * found by build-aux/mutate.py). */
static void
test_chain_seq_skip (void)
{
  g_autoptr(GPtrArray) chain = make_chain (4);
  const char *prev = KA_BALLOT_GENESIS_HASH;

  /* Renumber 1, 2, 4, 5 and re-seal every ballot so that each links to the one before. */
  for (guint i = 0; i < chain->len; i++)
    {
      KaBallot *b = g_ptr_array_index (chain, i);

      b->seq = i < 2 ? i + 1 : i + 2;
      g_free (b->prev_hash);
      b->prev_hash = g_strdup (prev);
      g_free (b->hash);
      b->hash = ka_ballot_compute_hash (b);
      prev = b->hash;
    }

  assert_break (chain, "missing", "seq 3",
                ((KaBallot *) g_ptr_array_index (chain, 2))->ballot_id);

  /* Numbered 1, 2, 2, 3 with intact links: a seq appears twice. */
  prev = KA_BALLOT_GENESIS_HASH;
  for (guint i = 0; i < chain->len; i++)
    {
      KaBallot *b = g_ptr_array_index (chain, i);

      b->seq = i < 2 ? i + 1 : i;
      g_free (b->prev_hash);
      b->prev_hash = g_strdup (prev);
      g_free (b->hash);
      b->hash = ka_ballot_compute_hash (b);
      prev = b->hash;
    }
  assert_break (chain, "reordered", "seq 2",
                ((KaBallot *) g_ptr_array_index (chain, 2))->ballot_id);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ka/ballot/strings", test_strings);
  g_test_add_func ("/ka/ballot/canonical-json", test_canonical_json);
  g_test_add_func ("/ka/ballot/known-hash", test_known_hash);
  g_test_add_func ("/ka/ballot/round-trip", test_round_trip);
  g_test_add_func ("/ka/ballot/invalid", test_invalid);
  g_test_add_func ("/ka/ballot/chain", test_chain);
  g_test_add_func ("/ka/ballot/chain-seq-skip", test_chain_seq_skip);
  g_test_add_func ("/ka/ballot/timestamp", test_timestamp);

  return g_test_run ();
}
