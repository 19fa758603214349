/* test-collector.c: the real kai-arena-collector process, spoken to over HTTP on loopback
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every test starts the built collector (path in $KA_COLLECTOR) on 127.0.0.1 port 0 with a
 * fresh database, reads the "listening on URL" line it prints, and talks to it with a
 * SoupSession exactly as docs/protocol.md describes. Ballots are built with ka-ballot, so
 * their hashes are the ones a real client computes.
 *
 * tests/data/collector-test-{cert,key}.pem is a self-signed certificate for localhost,
 * 127.0.0.1 and ::1, made once with
 *   openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj /CN=localhost \
 *     -addext subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1 ...
 */

#define G_LOG_DOMAIN "test-collector"

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "ka-ballot.h"
#include "ka-collector-client.h"
#include "ka-export.h"
#include "ka-identity.h"
#include "ka-pack.h"
#include "ka-pack-builder.h"
#include "ka-pack-seal.h"
#include "ka-seal-maps.h"
#include "ka-test-support.h"

#define ENROLMENT_CODE   "venue-seoul-coex-2026"
#define ORGANISER_TOKEN  "organiser-token-for-the-test-suite-0123456789"

/* The test pack ---------------------------------------------------------------------- */

static const struct
{
  const char *model_id;
  const char *display_name;
  const char *organisation;
} test_models[] = {
  { "m-exaone", "EXAONE-3.5-32B-Instruct", "LG AI Research" },
  { "m-hcx", "HyperCLOVA X THINK", "NAVER Cloud" },
  { "m-solar", "Solar Pro 2", "Upstage" },
};

static const struct
{
  const char *prompt_id;
  const char *category;
  const char *turn;
} test_prompts[] = {
  { "p-kimchi", "writing", "김치찌개를 처음 끓이는 사람에게 순서대로 설명해 주세요." },
  { "p-sort", "coding", "파이썬으로 리스트를 정렬하는 두 가지 방법을 비교해 주세요." },
  { "p-hangul", "knowledge", "훈민정음이 만들어진 이유를 세 문장으로 요약해 주세요." },
  { "p-math", "math", "1부터 100까지의 합을 구하는 방법을 설명해 주세요." },
};

#define N_MODELS  G_N_ELEMENTS (test_models)
#define N_PROMPTS G_N_ELEMENTS (test_prompts)

/* Opaque like a real pack's: the ID of a sealed response must not name its model. */
static char *
response_id (guint prompt,
             guint model)
{
  g_autofree char *seed = g_strdup_printf ("%s/%s", test_prompts[prompt].prompt_id,
                                           test_models[model].model_id);
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);

  return g_strdup_printf ("r%.12s", sum);
}

static char *
answer_text (guint prompt,
             guint model)
{
  return g_strdup_printf ("답변 %u-%u: 먼저 재료를 준비하고, **순서대로** "
                          "진행합니다.\n\n1. 준비\n2. 조리\n3. 마무리", prompt, model);
}

static char *
make_pack_json (void)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, KA_PACK_FORMAT);
  json_builder_set_member_name (b, "pack_id");
  json_builder_add_string_value (b, "test-collector-ko-2026");
  json_builder_set_member_name (b, "title");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ko");
  json_builder_add_string_value (b, "수집기 시험용 묶음");
  json_builder_set_member_name (b, "en");
  json_builder_add_string_value (b, "Collector test pack");
  json_builder_end_object (b);
  json_builder_set_member_name (b, "language");
  json_builder_add_string_value (b, "ko");
  json_builder_set_member_name (b, "created_at");
  json_builder_add_string_value (b, "2026-11-29T00:00:00Z");

  json_builder_set_member_name (b, "models");
  json_builder_begin_array (b);
  for (guint m = 0; m < N_MODELS; m++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "model_id");
      json_builder_add_string_value (b, test_models[m].model_id);
      json_builder_set_member_name (b, "display_name");
      json_builder_add_string_value (b, test_models[m].display_name);
      json_builder_set_member_name (b, "organisation");
      json_builder_add_string_value (b, test_models[m].organisation);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "prompts");
  json_builder_begin_array (b);
  for (guint p = 0; p < N_PROMPTS; p++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "prompt_id");
      json_builder_add_string_value (b, test_prompts[p].prompt_id);
      json_builder_set_member_name (b, "category");
      json_builder_add_string_value (b, test_prompts[p].category);
      json_builder_set_member_name (b, "turns");
      json_builder_begin_array (b);
      json_builder_add_string_value (b, test_prompts[p].turn);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "responses");
  json_builder_begin_array (b);
  for (guint p = 0; p < N_PROMPTS; p++)
    for (guint m = 0; m < N_MODELS; m++)
      {
        g_autofree char *id = response_id (p, m);
        g_autofree char *answer = answer_text (p, m);

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "response_id");
        json_builder_add_string_value (b, id);
        json_builder_set_member_name (b, "prompt_id");
        json_builder_add_string_value (b, test_prompts[p].prompt_id);
        json_builder_set_member_name (b, "model_id");
        json_builder_add_string_value (b, test_models[m].model_id);
        json_builder_set_member_name (b, "turns");
        json_builder_begin_array (b);
        json_builder_add_string_value (b, answer);
        json_builder_end_array (b);
        json_builder_end_object (b);
      }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "identity_terms");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "엑사원");
  json_builder_add_string_value (b, "하이퍼클로바");
  json_builder_add_string_value (b, "솔라");
  json_builder_end_array (b);
  json_builder_set_member_name (b, "licence");
  json_builder_add_string_value (b, "CC0-1.0");
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return json_to_string (root, TRUE);
}

/* The collector process -------------------------------------------------------------- */

typedef KaTestCollector Collector;

static Collector *
collector_start (const char         *dir,
                 const char         *database,
                 const char * const *extra)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *log_path = NULL;
  Collector *c = g_new0 (Collector, 1);
  static guint serial;

  g_ptr_array_add (args, (char *) "--listen");
  g_ptr_array_add (args, (char *) "127.0.0.1:0");
  g_ptr_array_add (args, (char *) "--database");
  g_ptr_array_add (args, (char *) database);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (args, (char *) extra[i]);
  g_ptr_array_add (args, NULL);

  /* Debug logging on, so the "no token in the logs" check sees every line. */
  log_path = g_strdup_printf ("%s/collector-%u.log", dir, ++serial);
  ka_test_collector_launch (c, (const char * const *) args->pdata, log_path, "all");
  g_assert_true (g_str_has_suffix (c->url, "/"));
  return c;
}

/* Stops the collector with SIGTERM (it must exit 0) and returns its log. */
static char *
collector_stop (Collector *c)
{
  gboolean clean = ka_test_collector_terminate (c);
  char *log = ka_test_read_file_or_empty (c->log_path);

  if (!clean)
    g_error ("the collector did not exit cleanly on SIGTERM; its log:\n%s", log);
  g_assert_true (strstr (log, "stopping on a signal") != NULL);

  ka_test_collector_clear (c);
  g_free (c);
  return log;
}

/* HTTP ------------------------------------------------------------------------------- */

typedef struct
{
  guint               status;
  GBytes             *body;
  SoupMessageHeaders *headers;
  JsonNode           *json;    /* when the body is application/json */
} Reply;

static void
reply_free (Reply *r)
{
  g_clear_pointer (&r->body, g_bytes_unref);
  g_clear_pointer (&r->headers, soup_message_headers_unref);
  g_clear_pointer (&r->json, json_node_unref);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

static Reply *
make_reply (SoupMessage *msg,
            GBytes      *body)
{
  Reply *r = g_new0 (Reply, 1);
  const char *type;

  r->status = soup_message_get_status (msg);
  r->body = body;
  r->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));

  type = soup_message_headers_get_content_type (r->headers, NULL);
  if (type != NULL && strcmp (type, "application/json") == 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      gsize length;
      const char *data = g_bytes_get_data (body, &length);

      json_parser_load_from_data (parser, data, (gssize) length, &error);
      g_assert_no_error (error);
      r->json = json_node_ref (json_parser_get_root (parser));
    }

  return r;
}

static SoupMessage *
new_message (const char *method,
             const char *base,
             const char *path,
             const char *authorization,
             const char *content_type,
             GBytes     *body)
{
  g_autofree char *url = g_strconcat (base, path, NULL);
  SoupMessage *msg = soup_message_new (method, url);

  g_assert_nonnull (msg);
  if (authorization != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                  authorization);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, content_type, body);
  return msg;
}

static Reply *
send_message (SoupSession *session,
              SoupMessage *msg)
{
  g_autoptr(GError) error = NULL;
  GBytes *body = soup_session_send_and_read (session, msg, NULL, &error);

  g_assert_no_error (error);
  return make_reply (msg, body);
}

static Reply *
http (SoupSession *session,
      const char  *method,
      const char  *base,
      const char  *path,
      const char  *authorization,
      const char  *content_type,
      const void  *data,
      gssize       length)
{
  g_autoptr(GBytes) body = NULL;
  g_autoptr(SoupMessage) msg = NULL;

  if (data != NULL)
    body = g_bytes_new (data, length < 0 ? strlen (data) : (gsize) length);
  msg = new_message (method, base, path, authorization, content_type, body);
  return send_message (session, msg);
}

static char *
bearer (const char *token)
{
  return g_strdup_printf ("Bearer %s", token);
}

static Reply *
get (SoupSession *session,
     const char  *base,
     const char  *path,
     const char  *token)
{
  g_autofree char *auth = token != NULL ? bearer (token) : NULL;

  return http (session, "GET", base, path, auth, NULL, NULL, 0);
}

static Reply *
post_json (SoupSession *session,
           const char  *base,
           const char  *path,
           const char  *token,
           const char  *json)
{
  g_autofree char *auth = token != NULL ? bearer (token) : NULL;

  return http (session, "POST", base, path, auth, "application/json", json, -1);
}

static JsonObject *
reply_object (Reply *r)
{
  g_assert_nonnull (r->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (r->json));
  return json_node_get_object (r->json);
}

/* Every error: the status, and a JSON body {"error": {"code", "message"}}. */
static void
assert_error (Reply      *r,
              guint       status,
              const char *code)
{
  JsonObject *error;

  if (r->status != status)
    g_error ("expected HTTP %u (%s), got %u: %.*s", status, code, r->status,
             (int) MIN (g_bytes_get_size (r->body), 400),
             (const char *) g_bytes_get_data (r->body, NULL));
  g_assert_nonnull (r->json);
  error = json_object_get_object_member (reply_object (r), "error");
  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  g_assert_cmpuint (strlen (json_object_get_string_member (error, "message")), >, 0);
}

/* Devices and ballots ---------------------------------------------------------------- */

typedef struct
{
  char *id;
  char *token;
  char *head;     /* the chain head as the device knows it */
  gint64 seq;     /* the last seq it made */
} Device;

static void
device_free (Device *d)
{
  g_free (d->id);
  g_free (d->token);
  g_free (d->head);
  g_free (d);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Device, device_free)

typedef struct
{
  char        *dir;
  char        *database;
  char        *pack_path;
  Collector   *collector;
  SoupSession *session;
  GPtrArray   *tokens;     /* every device token issued, for the log check */
} Fixture;

/* Enrols a device, with the device ID it proposes (as a store that voted offline does) or
 * one the collector picks. */
static Device *
enrol_as (Fixture    *f,
          const char *kind,
          const char *code,
          const char *device_id)
{
  g_autoptr(Reply) r = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *body = NULL;
  JsonObject *o;
  Device *d;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, kind);
  if (code != NULL)
    {
      json_builder_set_member_name (b, "enrolment_code");
      json_builder_add_string_value (b, code);
    }
  if (device_id != NULL)
    {
      json_builder_set_member_name (b, "device_id");
      json_builder_add_string_value (b, device_id);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  body = json_to_string (root, FALSE);

  r = post_json (f->session, f->collector->url, "v1/devices", NULL, body);
  g_assert_cmpuint (r->status, ==, SOUP_STATUS_CREATED);
  o = reply_object (r);

  d = g_new0 (Device, 1);
  d->id = g_strdup (json_object_get_string_member (o, "device_id"));
  d->token = g_strdup (json_object_get_string_member (o, "device_token"));
  d->head = g_strdup (KA_BALLOT_GENESIS_HASH);
  g_assert_cmpstr (json_object_get_string_member (o, "kind"), ==, kind);
  g_assert_true (g_uuid_string_is_valid (d->id));
  g_assert_cmpuint (strlen (d->token), ==, 64);
  g_assert_cmpuint (strspn (d->token, "0123456789abcdef"), ==, 64);
  g_assert_cmpstr (soup_message_headers_get_one (r->headers, "Cache-Control"), ==, "no-store");

  if (device_id != NULL)
    g_assert_cmpstr (d->id, ==, device_id);

  g_ptr_array_add (f->tokens, g_strdup (d->token));
  return d;
}

static Device *
enrol (Fixture    *f,
       const char *kind,
       const char *code)
{
  return enrol_as (f, kind, code, NULL);
}

static char *sealed_id_of  (KaPack                *sealed,
                            guint                  prompt,
                            guint                  model);
static int   true_model_of (KaPack                *open,
                            const KaPackResponse  *served);
static char *run_refused   (const char * const    *args,
                            int                   *status);

/* n new ballots continuing @d's chain (seq, prev_hash, hash as a real client makes them),
 * on the test pack's response IDs, or the sealed copy's when @sealed is given (what a
 * citizen device holds); @d remembers the new head. */
static GPtrArray *
make_ballots_on (Device *d,
                 guint   n,
                 KaPack *sealed)
{
  GPtrArray *ballots = g_ptr_array_new_with_free_func ((GDestroyNotify) ka_ballot_free);
  g_autofree char *session_id = g_uuid_string_random ();

  for (guint i = 0; i < n; i++)
    {
      KaBallot *b = ka_ballot_new ();
      gint64 seq = ++d->seq;
      guint prompt = (guint) (seq % N_PROMPTS);
      guint left = (guint) (seq % N_MODELS);
      guint right = (left + 1 + (guint) (seq / N_MODELS) % (N_MODELS - 1)) % N_MODELS;

      b->ballot_id = g_uuid_string_random ();
      b->device_id = g_strdup (d->id);
      b->session_id = g_strdup (session_id);
      b->seq = seq;
      b->pack_id = g_strdup ("test-collector-ko-2026");
      b->prompt_id = g_strdup (test_prompts[prompt].prompt_id);
      b->response_a = sealed != NULL ? sealed_id_of (sealed, prompt, left)
                                     : response_id (prompt, left);
      b->response_b = sealed != NULL ? sealed_id_of (sealed, prompt, right)
                                     : response_id (prompt, right);
      b->winner = (KaWinner) (seq % 4);
      b->shown_at = g_strdup_printf ("2026-11-29T10:%02d:%02d.000Z", (int) (seq / 60 % 60),
                                     (int) (seq % 60));
      b->voted_at = g_strdup_printf ("2026-11-29T11:%02d:%02d.500Z", (int) (seq / 60 % 60),
                                     (int) (seq % 60));
      b->decision_ms = 3000 + seq;
      b->mode = KA_MODE_CITIZEN;
      b->ui_language = g_strdup ("ko");
      b->identity_flag = FALSE;
      b->prev_hash = g_strdup (d->head);
      b->hash = ka_ballot_compute_hash (b);

      g_free (d->head);
      d->head = g_strdup (b->hash);
      g_ptr_array_add (ballots, b);
    }

  return ballots;
}

static GPtrArray *
make_ballots (Device *d,
              guint   n)
{
  return make_ballots_on (d, n, NULL);
}

static void
reseal (KaBallot *b)
{
  g_free (b->hash);
  b->hash = ka_ballot_compute_hash (b);
}

/* {"device_id", "ballots": [ballots[from] … ballots[from + count - 1]]} */
static char *
batch_json (const char *device_id,
            GPtrArray  *ballots,
            guint       from,
            guint       count)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "device_id");
  json_builder_add_string_value (b, device_id);
  json_builder_set_member_name (b, "ballots");
  json_builder_begin_array (b);
  for (guint i = from; i < from + count; i++)
    json_builder_add_value (b, ka_ballot_to_json (g_ptr_array_index (ballots, i)));
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static Reply *
upload (Fixture    *f,
        Device     *d,
        GPtrArray  *ballots,
        guint       from,
        guint       count)
{
  g_autofree char *body = batch_json (d->id, ballots, from, count);

  return post_json (f->session, f->collector->url, "v1/ballots", d->token, body);
}

static JsonObject *
receipt_of (Reply *r)
{
  JsonObject *receipt;

  if (r->status != SOUP_STATUS_CREATED)
    g_error ("expected a 201 receipt, got %u: %.*s", r->status,
             (int) MIN (g_bytes_get_size (r->body), 400),
             (const char *) g_bytes_get_data (r->body, NULL));
  receipt = json_object_get_object_member (reply_object (r), "receipt");
  g_assert_nonnull (receipt);
  return receipt;
}

static guint
list_length (JsonObject *receipt,
             const char *name)
{
  return json_array_get_length (json_object_get_array_member (receipt, name));
}

static gboolean
list_contains (JsonObject *receipt,
               const char *name,
               const char *ballot_id)
{
  JsonArray *array = json_object_get_array_member (receipt, name);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      if (g_strcmp0 (json_array_get_string_element (array, i), ballot_id) == 0)
        return TRUE;
    }

  return FALSE;
}

/* The code of @ballot_id in the receipt's rejected list, or NULL. */
static const char *
rejection_of (JsonObject *receipt,
              const char *ballot_id)
{
  JsonArray *array = json_object_get_array_member (receipt, "rejected");

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);

      if (strcmp (json_object_get_string_member (o, "ballot_id"), ballot_id) == 0)
        {
          g_assert_cmpuint (strlen (json_object_get_string_member (o, "message")), >, 0);
          return json_object_get_string_member (o, "code");
        }
    }

  return NULL;
}

static const char *
display_name_of_response (const char *response)
{
  for (guint p = 0; p < N_PROMPTS; p++)
    for (guint m = 0; m < N_MODELS; m++)
      {
        g_autofree char *id = response_id (p, m);

        if (strcmp (id, response) == 0)
          return test_models[m].display_name;
      }

  g_assert_not_reached ();
  return NULL;
}

/* The receipt's reveal for @b names the models behind its two responses. */
static void
assert_reveal (JsonObject     *receipt,
               const KaBallot *b)
{
  JsonObject *reveal = json_object_get_object_member (receipt, "reveal");
  JsonObject *entry = json_object_get_object_member (reveal, b->ballot_id);

  g_assert_nonnull (entry);
  g_assert_cmpstr (json_object_get_string_member (entry, "model_a"), ==,
                   display_name_of_response (b->response_a));
  g_assert_cmpstr (json_object_get_string_member (entry, "model_b"), ==,
                   display_name_of_response (b->response_b));
}

static void
assert_chain (Fixture    *f,
              Device     *d,
              gint64      count,
              const char *head)
{
  g_autofree char *path = g_strdup_printf ("v1/devices/%s/chain", d->id);
  g_autoptr(Reply) r = get (f->session, f->collector->url, path, d->token);
  JsonObject *o;

  g_assert_cmpuint (r->status, ==, SOUP_STATUS_OK);
  o = reply_object (r);
  g_assert_cmpstr (json_object_get_string_member (o, "device_id"), ==, d->id);
  g_assert_cmpint (json_object_get_int_member (o, "count"), ==, count);
  g_assert_cmpstr (json_object_get_string_member (o, "head"), ==, head);
}

/* Every stored ballot, as the organisers' JSON Lines export gives them. */
static GPtrArray *
export_lines (Fixture *f)
{
  g_autoptr(Reply) r = get (f->session, f->collector->url, "v1/ballots?format=jsonl",
                            ORGANISER_TOKEN);
  g_auto(GStrv) lines = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  g_assert_cmpuint (r->status, ==, SOUP_STATUS_OK);
  lines = g_strsplit (g_bytes_get_data (r->body, NULL) != NULL
                        ? (const char *) g_bytes_get_data (r->body, NULL) : "", "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] != '\0')
        g_ptr_array_add (out, g_strdup (lines[i]));
    }
  return out;
}

static guint
stored_count (Fixture *f)
{
  g_autoptr(GPtrArray) lines = export_lines (f);

  return lines->len;
}

static gboolean
export_contains (GPtrArray  *lines,
                 const char *canonical)
{
  for (guint i = 0; i < lines->len; i++)
    {
      if (strcmp (g_ptr_array_index (lines, i), canonical) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Fixture ---------------------------------------------------------------------------- */

static const char * const default_args[] = {
  "--enrolment-code", ENROLMENT_CODE,
  "--organiser-token", ORGANISER_TOKEN,
  "--citizen-enrolments-per-hour", "0",
  NULL
};

/* Fixture data: extra collector options; the test pack is added unless they are
 * no_pack_args, and the project's shipped sample pack instead with sample_pack_args. */
static const char * const no_pack_args[] = { "--organiser-token", ORGANISER_TOKEN, NULL };
static const char * const sample_pack_args[] = {
  "--enrolment-code", ENROLMENT_CODE,
  "--organiser-token", ORGANISER_TOKEN,
  "--citizen-enrolments-per-hour", "0",
  NULL
};

static char *
sample_pack_path (void)
{
  const char *root = g_getenv ("KA_SOURCE_ROOT");

  return root != NULL ? g_build_filename (root, "data", "packs", "sample-ko.json", NULL)
                      : NULL;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const char * const *extra = data != NULL ? data : default_args;
  g_autoptr(GError) error = NULL;
  g_autofree char *pack = make_pack_json ();
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  f->dir = ka_test_make_tmp_dir ("ka-test-collector-XXXXXX");
  f->database = g_build_filename (f->dir, "collector.sqlite3", NULL);
  f->pack_path = g_build_filename (f->dir, "pack.json", NULL);
  g_file_set_contents (f->pack_path, pack, -1, &error);
  g_assert_no_error (error);

  for (guint i = 0; extra[i] != NULL; i++)
    g_ptr_array_add (args, (char *) extra[i]);
  if (extra == sample_pack_args)
    {
      g_free (f->pack_path);
      f->pack_path = sample_pack_path ();
      if (f->pack_path == NULL || !g_file_test (f->pack_path, G_FILE_TEST_EXISTS))
        g_clear_pointer (&f->pack_path, g_free);
    }
  if (extra != no_pack_args && f->pack_path != NULL)
    {
      g_ptr_array_add (args, (char *) "--pack");
      g_ptr_array_add (args, f->pack_path);
    }
  g_ptr_array_add (args, NULL);

  f->collector = collector_start (f->dir, f->database, (const char * const *) args->pdata);
  f->session = soup_session_new_with_options ("timeout", 60, "max-conns-per-host", 4, NULL);
  f->tokens = g_ptr_array_new_with_free_func (g_free);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *log = NULL;

  g_clear_object (&f->session);
  log = collector_stop (f->collector);

  /* docs/protocol.md: logs never contain a token, even with debug logging on. */
  if (strstr (log, "/v1/") == NULL)   /* request lines were logged at all */
    g_error ("no request was logged; the log:\n%s", log);
  for (guint i = 0; i < f->tokens->len; i++)
    g_assert_null (strstr (log, g_ptr_array_index (f->tokens, i)));
  g_assert_null (strstr (log, ORGANISER_TOKEN));
  g_assert_null (strstr (log, ENROLMENT_CODE));

  g_ptr_array_unref (f->tokens);
  ka_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->database);
  g_free (f->pack_path);
}

/* Tests: enrolment ------------------------------------------------------------------- */

static void
test_enrol (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(Device) citizen = enrol (f, "citizen", NULL);
  g_autoptr(Device) kiosk = enrol (f, "kiosk", ENROLMENT_CODE);
  g_autoptr(Device) other = enrol (f, "citizen", NULL);
  g_autoptr(Reply) wrong = NULL;
  g_autoptr(Reply) missing = NULL;
  g_autoptr(Reply) bad_kind = NULL;
  g_autoptr(Reply) unknown = NULL;
  g_autoptr(Reply) wrong_type = NULL;
  g_autoptr(Reply) method = NULL;

  g_assert_cmpstr (citizen->id, !=, other->id);
  g_assert_cmpstr (citizen->token, !=, other->token);
  g_assert_cmpstr (citizen->token, !=, kiosk->token);

  wrong = post_json (f->session, f->collector->url, "v1/devices", NULL,
                     "{\"kind\": \"kiosk\", \"enrolment_code\": \"venue-seoul-coex-2025\"}");
  assert_error (wrong, SOUP_STATUS_FORBIDDEN, "bad_enrolment_code");

  missing = post_json (f->session, f->collector->url, "v1/devices", NULL,
                       "{\"kind\": \"kiosk\"}");
  assert_error (missing, SOUP_STATUS_FORBIDDEN, "bad_enrolment_code");

  bad_kind = post_json (f->session, f->collector->url, "v1/devices", NULL,
                        "{\"kind\": \"organiser\"}");
  assert_error (bad_kind, SOUP_STATUS_BAD_REQUEST, "invalid_request");

  unknown = post_json (f->session, f->collector->url, "v1/devices", NULL,
                       "{\"kind\": \"citizen\", \"admin\": true}");
  assert_error (unknown, SOUP_STATUS_BAD_REQUEST, "invalid_request");

  wrong_type = post_json (f->session, f->collector->url, "v1/devices", NULL,
                          "{\"kind\": \"kiosk\", \"enrolment_code\": 2026}");
  assert_error (wrong_type, SOUP_STATUS_BAD_REQUEST, "invalid_request");

  method = get (f->session, f->collector->url, "v1/devices", NULL);
  assert_error (method, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed");
  g_assert_cmpstr (soup_message_headers_get_one (method->headers, "Allow"), ==, "POST");
}

static void
test_enrol_own_id (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *own_id = g_uuid_string_random ();
  g_autoptr(Device) offline = g_new0 (Device, 1);
  g_autoptr(Device) enrolled = NULL;
  g_autoptr(GPtrArray) ballots = NULL;
  g_autoptr(Reply) again = NULL;
  g_autoptr(Reply) not_uuid = NULL;
  g_autoptr(Reply) up = NULL;
  g_autofree char *again_body = g_strdup_printf ("{\"kind\": \"citizen\", \"device_id\": "
                                                 "\"%s\"}", own_id);

  /* Ballots cast before the device ever reached the collector carry its own ID. */
  offline->id = g_strdup (own_id);
  offline->head = g_strdup (KA_BALLOT_GENESIS_HASH);
  ballots = make_ballots (offline, 7);

  enrolled = enrol_as (f, "citizen", NULL, own_id);
  up = upload (f, enrolled, ballots, 0, 7);
  g_assert_cmpuint (list_length (receipt_of (up), "accepted"), ==, 7);
  enrolled->seq = offline->seq;
  g_free (enrolled->head);
  enrolled->head = g_strdup (offline->head);
  assert_chain (f, enrolled, 7, offline->head);

  /* Nobody gets a second token for an enrolled device. */
  again = post_json (f->session, f->collector->url, "v1/devices", NULL, again_body);
  assert_error (again, SOUP_STATUS_CONFLICT, "device_exists");

  not_uuid = post_json (f->session, f->collector->url, "v1/devices", NULL,
                        "{\"kind\": \"citizen\", \"device_id\": \"my-phone\"}");
  assert_error (not_uuid, SOUP_STATUS_BAD_REQUEST, "invalid_request");
}

static const char * const rate_limited_args[] = {
  "--enrolment-code", ENROLMENT_CODE,
  "--organiser-token", ORGANISER_TOKEN,
  "--citizen-enrolments-per-hour", "2",
  NULL
};

static void
test_enrol_rate_limit (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(Device) first = enrol (f, "citizen", NULL);
  g_autoptr(Device) second = enrol (f, "citizen", NULL);
  g_autoptr(Device) kiosk = NULL;
  g_autoptr(Reply) third = NULL;
  g_autoptr(Reply) guess = NULL;
  guint64 seconds = 0;

  third = post_json (f->session, f->collector->url, "v1/devices", NULL,
                     "{\"kind\": \"citizen\"}");
  assert_error (third, 429, "rate_limited");
  g_assert_true (g_ascii_string_to_unsigned (soup_message_headers_get_one (third->headers,
                                                                           "Retry-After"),
                                             10, 1, 3600, &seconds, NULL));

  /* Kiosks with the right code are not limited (a venue enrols many from one address);
   * wrong codes spend the same budget, so the code cannot be guessed quickly. */
  kiosk = enrol (f, "kiosk", ENROLMENT_CODE);
  guess = post_json (f->session, f->collector->url, "v1/devices", NULL,
                     "{\"kind\": \"kiosk\", \"enrolment_code\": \"guess\"}");
  assert_error (guess, 429, "rate_limited");
}

/* Tests: ballots --------------------------------------------------------------------- */

static void
test_upload_chain (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(Device) d = enrol (f, "citizen", NULL);
  g_autoptr(GPtrArray) ballots = make_ballots (d, 30);
  g_autoptr(GPtrArray) lines = NULL;

  assert_chain (f, d, 0, KA_BALLOT_GENESIS_HASH);

  for (guint from = 0; from < 30; from += 10)
    {
      g_autoptr(Reply) r = upload (f, d, ballots, from, 10);
      JsonObject *receipt = receipt_of (r);
      const KaBallot *last = g_ptr_array_index (ballots, from + 9);

      g_assert_cmpuint (list_length (receipt, "accepted"), ==, 10);
      g_assert_cmpuint (list_length (receipt, "duplicate"), ==, 0);
      g_assert_cmpuint (list_length (receipt, "rejected"), ==, 0);
      for (guint i = from; i < from + 10; i++)
        {
          const KaBallot *b = g_ptr_array_index (ballots, i);

          g_assert_true (list_contains (receipt, "accepted", b->ballot_id));
          assert_reveal (receipt, b);
        }
      g_assert_cmpstr (json_object_get_string_member (receipt, "chain_head"), ==, last->hash);
      g_assert_cmpint (json_object_get_int_member (receipt, "count"), ==, from + 10);
    }

  assert_chain (f, d, 30, d->head);

  /* The organisers' export holds each ballot once, byte for byte as canonical JSON. */
  lines = export_lines (f);
  g_assert_cmpuint (lines->len, ==, 30);
  for (guint i = 0; i < ballots->len; i++)
    {
      g_autofree char *canonical = ka_ballot_canonical_json (g_ptr_array_index (ballots, i),
                                                             TRUE);

      g_assert_true (export_contains (lines, canonical));
    }
}

static void
test_duplicate (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(Device) d = enrol (f, "citizen", NULL);
  g_autoptr(GPtrArray) ballots = make_ballots (d, 20);
  g_autoptr(Reply) first = upload (f, d, ballots, 0, 10);
  g_autoptr(Reply) again = NULL;
  g_autoptr(Reply) overlap = NULL;
  JsonObject *receipt;

  receipt_of (first);

  /* The same batch again (a retry after a lost 201): all duplicate, all revealed, and
   * the chain head does not move. */
  again = upload (f, d, ballots, 0, 10);
  receipt = receipt_of (again);
  g_assert_cmpuint (list_length (receipt, "accepted"), ==, 0);
  g_assert_cmpuint (list_length (receipt, "duplicate"), ==, 10);
  g_assert_cmpuint (list_length (receipt, "rejected"), ==, 0);
  for (guint i = 0; i < 10; i++)
    assert_reveal (receipt, g_ptr_array_index (ballots, i));
  g_assert_cmpint (json_object_get_int_member (receipt, "count"), ==, 10);
  g_assert_cmpstr (json_object_get_string_member (receipt, "chain_head"), ==,
                   ((KaBallot *) g_ptr_array_index (ballots, 9))->hash);

  /* Half old, half new: the old ones are duplicates, the new ones chain on. */
  overlap = upload (f, d, ballots, 5, 15);
  receipt = receipt_of (overlap);
  g_assert_cmpuint (list_length (receipt, "duplicate"), ==, 5);
  g_assert_cmpuint (list_length (receipt, "accepted"), ==, 10);
  g_assert_cmpuint (list_length (receipt, "rejected"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (receipt, "count"), ==, 20);

  g_assert_cmpuint (stored_count (f), ==, 20);
  assert_chain (f, d, 20, d->head);
}

static void
test_conflict (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(Device) d = enrol (f, "citizen", NULL);
  g_autoptr(GPtrArray) ballots = make_ballots (d, 5);
  g_autoptr(GPtrArray) altered = g_ptr_array_new_with_free_func ((GDestroyNotify) ka_ballot_free);
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(Reply) first = upload (f, d, ballots, 0, 5);
  g_autoptr(Reply) conflict = NULL;
  g_autoptr(Reply) tampered = NULL;
  g_autofree char *original = NULL;
  KaBallot *b;
  JsonObject *receipt;

  receipt_of (first);
  original = ka_ballot_canonical_json (g_ptr_array_index (ballots, 2), TRUE);

  /* Same ballot_id, another winner, a correct hash: a conflict, never an overwrite. */
  b = ka_ballot_copy (g_ptr_array_index (ballots, 2));
  b->winner = b->winner == KA_WINNER_MODEL_A ? KA_WINNER_MODEL_B : KA_WINNER_MODEL_A;
  reseal (b);
  g_ptr_array_add (altered, b);

  /* Same ballot_id, another decision time, the old hash: it no longer verifies. */
  b = ka_ballot_copy (g_ptr_array_index (ballots, 3));
  b->decision_ms += 1;
  g_ptr_array_add (altered, b);

  conflict = upload (f, d, altered, 0, 1);
  receipt = receipt_of (conflict);
  g_assert_cmpstr (rejection_of (receipt, ((KaBallot *) altered->pdata[0])->ballot_id), ==,
                   "conflict");
  g_assert_cmpuint (list_length (receipt, "accepted"), ==, 0);
  g_assert_null (json_object_get_member (json_object_get_object_member (receipt, "reveal"),
                                         ((KaBallot *) altered->pdata[0])->ballot_id));

  tampered = upload (f, d, altered, 1, 1);
  receipt = receipt_of (tampered);
  g_assert_cmpstr (rejection_of (receipt, ((KaBallot *) altered->pdata[1])->ballot_id), ==,
                   "bad_hash");

  /* The stored row is the original, and nothing was added. */
  lines = export_lines (f);
  g_assert_cmpuint (lines->len, ==, 5);
  g_assert_true (export_contains (lines, original));
  assert_chain (f, d, 5, d->head);
}

static void
test_chain_break (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(Device) d = enrol (f, "citizen", NULL);
  g_autoptr(GPtrArray) ballots = make_ballots (d, 12);
  g_autoptr(GPtrArray) fork = NULL;
  g_autoptr(Reply) first = upload (f, d, ballots, 0, 4);
  g_autoptr(Reply) gap = NULL;
  g_autoptr(Reply) bad_link = NULL;
  g_autoptr(Reply) forked = NULL;
  g_autoptr(Reply) resumed = NULL;
  g_autofree char *head4 = g_strdup (((KaBallot *) ballots->pdata[3])->hash);
  JsonObject *receipt;
  KaBallot *b;

  receipt_of (first);

  /* Seq 6 onward without seq 5: the first is a chain_break, and so is every following
   * one (they link to a ballot the server does not hold). */
  gap = upload (f, d, ballots, 5, 4);
  receipt = receipt_of (gap);
  g_assert_cmpuint (list_length (receipt, "accepted"), ==, 0);
  g_assert_cmpuint (list_length (receipt, "rejected"), ==, 4);
  for (guint i = 5; i < 9; i++)
    g_assert_cmpstr (rejection_of (receipt, ((KaBallot *) ballots->pdata[i])->ballot_id), ==,
                     "chain_break");
  g_assert_cmpint (json_object_get_int_member (receipt, "count"), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (receipt, "chain_head"), ==, head4);

  /* The right seq with a prev_hash that is not the server's head. */
  b = g_ptr_array_index (ballots, 4);
  {
    g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func ((GDestroyNotify) ka_ballot_free);
    KaBallot *wrong = ka_ballot_copy (b);

    g_free (wrong->prev_hash);
    wrong->prev_hash = g_strdup (KA_BALLOT_GENESIS_HASH);
    reseal (wrong);
    g_ptr_array_add (one, wrong);
    bad_link = upload (f, d, one, 0, 1);
    receipt = receipt_of (bad_link);
    g_assert_cmpstr (rejection_of (receipt, wrong->ballot_id), ==, "chain_break");
  }

  /* A second ballot with a seq already taken (a fork after a restore): chain_break. */
  fork = g_ptr_array_new_with_free_func ((GDestroyNotify) ka_ballot_free);
  b = ka_ballot_copy (g_ptr_array_index (ballots, 3));
  g_free (b->ballot_id);
  b->ballot_id = g_uuid_string_random ();
  reseal (b);
  g_ptr_array_add (fork, b);
  forked = upload (f, d, fork, 0, 1);
  receipt = receipt_of (forked);
  g_assert_cmpstr (rejection_of (receipt, b->ballot_id), ==, "chain_break");

  g_assert_cmpuint (stored_count (f), ==, 4);
  assert_chain (f, d, 4, head4);

  /* The device sends the missing ballot first, and everything links again. */
  resumed = upload (f, d, ballots, 4, 8);
  receipt = receipt_of (resumed);
  g_assert_cmpuint (list_length (receipt, "accepted"), ==, 8);
  assert_chain (f, d, 12, d->head);
}

static void
test_other_device (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(Device) a = enrol (f, "citizen", NULL);
  g_autoptr(Device) b = enrol (f, "citizen", NULL);
  g_autoptr(GPtrArray) a_ballots = make_ballots (a, 3);
  g_autofree char *as_a = batch_json (a->id, a_ballots, 0, 3);
  g_autofree char *inside_b = NULL;
  g_autofree char *chain_path = g_strdup_printf ("v1/devices/%s/chain", a->id);
  g_autoptr(Reply) envelope = NULL;
  g_autoptr(Reply) smuggled = NULL;
  g_autoptr(Reply) chain = NULL;
  JsonObject *receipt;

  /* B's token, A's device_id. */
  envelope = post_json (f->session, f->collector->url, "v1/ballots", b->token, as_a);
  assert_error (envelope, SOUP_STATUS_FORBIDDEN, "wrong_device");

  /* B's token and device_id, A's ballots inside. */
  inside_b = batch_json (b->id, a_ballots, 0, 3);
  smuggled = post_json (f->session, f->collector->url, "v1/ballots", b->token, inside_b);
  receipt = receipt_of (smuggled);
  g_assert_cmpuint (list_length (receipt, "accepted"), ==, 0);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpstr (rejection_of (receipt, ((KaBallot *) a_ballots->pdata[i])->ballot_id),
                     ==, "wrong_device");

  chain = get (f->session, f->collector->url, chain_path, b->token);
  assert_error (chain, SOUP_STATUS_FORBIDDEN, "wrong_device");

  g_assert_cmpuint (stored_count (f), ==, 0);
}

static void
test_auth (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(Device) d = enrol (f, "citizen", NULL);
  g_autoptr(GPtrArray) ballots = make_ballots (d, 2);
  g_autofree char *body = batch_json (d->id, ballots, 0, 2);
  g_autofree char *forged = NULL;
  g_autofree char *chain_path = g_strdup_printf ("v1/devices/%s/chain", d->id);
  const char *bad_headers[] = {
    NULL,                                   /* no Authorization at all */
    "Basic dXNlcjpwYXNz",
    "Bearer",
    "Bearer not-a-token",
    NULL,                                   /* forged: 64 hex digits nobody was given */
  };

  forged = g_compute_checksum_for_string (G_CHECKSUM_SHA256, d->token, -1);
  bad_headers[4] = forged;

  for (guint i = 0; i < G_N_ELEMENTS (bad_headers); i++)
    {
      g_autofree char *auth = i == 4 ? bearer (bad_headers[i]) : g_strdup (bad_headers[i]);
      g_autoptr(Reply) up = http (f->session, "POST", f->collector->url, "v1/ballots", auth,
                                  "application/json", body, -1);
      g_autoptr(Reply) chain = http (f->session, "GET", f->collector->url, chain_path, auth,
                                     NULL, NULL, 0);

      assert_error (up, SOUP_STATUS_UNAUTHORIZED, "unauthorized");
      assert_error (chain, SOUP_STATUS_UNAUTHORIZED, "unauthorized");
      g_assert_true (g_str_has_prefix (soup_message_headers_get_one (up->headers,
                                                                     "WWW-Authenticate"),
                                       "Bearer"));
    }

  /* Organiser endpoints: a device token is not the organiser's. */
  {
    g_autoptr(Reply) tallies = get (f->session, f->collector->url, "v1/tallies", d->token);
    g_autoptr(Reply) export = get (f->session, f->collector->url, "v1/ballots", d->token);
    g_autoptr(Reply) anonymous = get (f->session, f->collector->url, "v1/tallies", NULL);
    g_autoptr(Reply) ok = get (f->session, f->collector->url, "v1/tallies", ORGANISER_TOKEN);

    assert_error (tallies, SOUP_STATUS_UNAUTHORIZED, "unauthorized");
    assert_error (export, SOUP_STATUS_UNAUTHORIZED, "unauthorized");
    assert_error (anonymous, SOUP_STATUS_UNAUTHORIZED, "unauthorized");
    g_assert_cmpuint (ok->status, ==, SOUP_STATUS_OK);
  }

  g_assert_cmpuint (stored_count (f), ==, 0);
}

/* Tests: hostile requests ------------------------------------------------------------ */

typedef struct
{
  const char *name;
  guint       status;
  const char *code;
  GBytes     *body;
  const char *content_type;
  gboolean    chunked;
} Hostile;

static GBytes *
bytes_printf (const char *format,
              ...) G_GNUC_PRINTF (1, 2);

static GBytes *
bytes_printf (const char *format,
              ...)
{
  va_list args;
  char *text;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  return g_bytes_new_take (text, strlen (text));
}

static GBytes *
bytes_with_bad_byte (const char *device_id,
                     guchar      byte)
{
  g_autofree char *text = g_strdup_printf ("{\"device_id\": \"%s\", \"ballots\": [], "
                                           "\"x\": \"?\"}", device_id);
  char *mark = strchr (text, '?');

  *mark = (char) byte;
  return g_bytes_new (text, strlen (text));
}

static GBytes *
repeated (const char *head,
          const char *unit,
          gsize       count,
          const char *tail)
{
  GString *s = g_string_new (head);

  for (gsize i = 0; i < count; i++)
    g_string_append (s, unit);
  g_string_append (s, tail);
  return g_string_free_to_bytes (s);
}

static void
test_hostile (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(Device) d = enrol (f, "citizen", NULL);
  g_autoptr(GPtrArray) many = make_ballots (d, 501);
  g_autoptr(GPtrArray) one = NULL;
  g_autofree char *valid_one = NULL;
  g_autofree char *too_many = batch_json (d->id, many, 0, 501);
  g_autoptr(GBytes) huge = NULL;
  g_autoptr(GBytes) big_chunked = NULL;
  Hostile cases[48];
  guint n = 0;
  gsize ten_mb = 10 * 1024 * 1024;

  /* A fresh chain for the one "valid but one field wrong" case. */
  d->seq = 0;
  g_free (d->head);
  d->head = g_strdup (KA_BALLOT_GENESIS_HASH);
  one = make_ballots (d, 1);
  valid_one = batch_json (d->id, one, 0, 1);

#define CASE(n_, st_, code_, body_) \
  cases[n++] = (Hostile) { n_, st_, code_, body_, "application/json", FALSE }

  CASE ("device_id a number", 400, "invalid_request",
        bytes_printf ("{\"device_id\": 5, \"ballots\": []}"));
  CASE ("ballots a string", 400, "invalid_request",
        bytes_printf ("{\"device_id\": \"%s\", \"ballots\": \"all of them\"}", d->id));
  CASE ("ballot not an object", 400, "invalid_request",
        bytes_printf ("{\"device_id\": \"%s\", \"ballots\": [5]}", d->id));
  CASE ("ballot without ballot_id", 400, "invalid_request",
        bytes_printf ("{\"device_id\": \"%s\", \"ballots\": [{\"seq\": 1}]}", d->id));
  CASE ("ballot_id a number", 400, "invalid_request",
        bytes_printf ("{\"device_id\": \"%s\", \"ballots\": [{\"ballot_id\": 7}]}", d->id));
  CASE ("missing ballots", 400, "invalid_request",
        bytes_printf ("{\"device_id\": \"%s\"}", d->id));
  CASE ("missing device_id", 400, "invalid_request", bytes_printf ("{\"ballots\": []}"));
  CASE ("unknown member", 400, "invalid_request",
        bytes_printf ("{\"device_id\": \"%s\", \"ballots\": [], \"admin\": true}", d->id));
  CASE ("top-level array", 400, "invalid_request", bytes_printf ("[]"));
  CASE ("not JSON", 400, "invalid_json", bytes_printf ("device_id=%s&ballots=1", d->id));
  CASE ("truncated JSON", 400, "invalid_json",
        bytes_printf ("{\"device_id\": \"%s\", \"ballots\": [", d->id));
  CASE ("empty body", 400, "invalid_json", g_bytes_new_static ("", 0));
  CASE ("invalid UTF-8", 400, "invalid_json", bytes_with_bad_byte (d->id, 0xff));
  CASE ("overlong UTF-8", 400, "invalid_json", bytes_with_bad_byte (d->id, 0xc0));
  CASE ("NUL byte", 400, "invalid_json", bytes_with_bad_byte (d->id, 0));
  CASE ("NUL escape", 400, "invalid_json",
        bytes_printf ("{\"device_id\": \"%s\\u0000\", \"ballots\": []}", d->id));
  CASE ("lone surrogate escape", 400, "invalid_json",
        bytes_printf ("{\"device_id\": \"%s\\ud800\", \"ballots\": []}", d->id));
  CASE ("raw control character", 400, "invalid_json",
        bytes_printf ("{\"device_id\": \"%s\x01\", \"ballots\": []}", d->id));
  CASE ("duplicate member", 400, "invalid_json",
        bytes_printf ("{\"device_id\": \"%s\", \"ballots\": [], \"ballots\": []}", d->id));
  CASE ("two documents", 400, "invalid_json",
        bytes_printf ("{\"device_id\": \"%s\", \"ballots\": []} {}", d->id));
  CASE ("byte-order mark", 400, "invalid_json",
        bytes_printf ("\xef\xbb\xbf{\"device_id\": \"%s\", \"ballots\": []}", d->id));
  CASE ("deep nesting", 400, "invalid_json", repeated ("", "[", 200000, ""));
  CASE ("deep nesting inside a ballot", 400, "invalid_json",
        repeated ("{\"device_id\": \"x\", \"ballots\": [{\"ballot_id\": \"y\", \"z\": ",
                  "{\"a\": ", 64, "1"));
  CASE ("501 ballots", 413, "too_many_ballots", g_bytes_new (too_many, strlen (too_many)));

  huge = repeated ("{\"device_id\": \"", "x", ten_mb, "\", \"ballots\": []}");
  CASE ("10 MB body", 413, "too_large", g_bytes_ref (huge));

  big_chunked = repeated ("{\"device_id\": \"", "y", 3 * 1024 * 1024, "\", \"ballots\": []}");
  cases[n++] = (Hostile) { "3 MB chunked body", 413, "too_large", g_bytes_ref (big_chunked),
                           "application/json", TRUE };
  cases[n++] = (Hostile) { "form content type", 415, "unsupported_media_type",
                           g_bytes_new (valid_one, strlen (valid_one)),
                           "application/x-www-form-urlencoded", FALSE };
#undef CASE

  g_assert_cmpuint (n, <=, G_N_ELEMENTS (cases));

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *auth = bearer (d->token);
      g_autoptr(SoupMessage) msg = NULL;
      g_autoptr(Reply) r = NULL;

      g_test_message ("hostile request: %s", cases[i].name);
      if (cases[i].chunked)
        {
          g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (cases[i].body);
          g_autofree char *url = g_strconcat (f->collector->url, "v1/ballots", NULL);

          msg = soup_message_new ("POST", url);
          soup_message_headers_replace (soup_message_get_request_headers (msg),
                                        "Authorization", auth);
          soup_message_set_request_body (msg, cases[i].content_type, stream, -1);
          g_assert_cmpint (soup_message_headers_get_encoding (
                             soup_message_get_request_headers (msg)), ==, SOUP_ENCODING_CHUNKED);
        }
      else
        msg = new_message ("POST", f->collector->url, "v1/ballots", auth,
                           cases[i].content_type, cases[i].body);

      r = send_message (f->session, msg);
      assert_error (r, cases[i].status, cases[i].code);
      g_bytes_unref (cases[i].body);
    }

  /* One ballot, well formed except for one field: rejected "invalid" in a receipt. */
  {
    static const char * const bad_seq[] = { "\"seq\":0", "\"seq\":\"1\"", "\"seq\":1.0" };

    for (guint i = 0; i < G_N_ELEMENTS (bad_seq); i++)
      {
        GString *text = g_string_new (valid_one);
        g_autofree char *json = NULL;
        g_autoptr(Reply) r = NULL;
        JsonObject *receipt;

        g_assert_cmpuint (g_string_replace (text, "\"seq\":1", bad_seq[i], 1), ==, 1);
        json = g_string_free (text, FALSE);
        r = post_json (f->session, f->collector->url, "v1/ballots", d->token, json);
        receipt = receipt_of (r);
        g_assert_cmpstr (rejection_of (receipt, ((KaBallot *) one->pdata[0])->ballot_id), ==,
                         "invalid");
        g_assert_cmpuint (list_length (receipt, "accepted"), ==, 0);
      }
  }

  /* The store's "delivery" member is not part of a ballot on the wire. */
  {
    GString *text = g_string_new (valid_one);
    g_autofree char *json = NULL;
    g_autoptr(Reply) r = NULL;

    g_assert_cmpuint (g_string_replace (text, "\"seq\":1", "\"seq\":1,\"delivery\":\"pending\"",
                                        1), ==, 1);
    json = g_string_free (text, FALSE);
    r = post_json (f->session, f->collector->url, "v1/ballots", d->token, json);
    g_assert_cmpstr (rejection_of (receipt_of (r), ((KaBallot *) one->pdata[0])->ballot_id),
                     ==, "invalid");
  }

  /* Nothing of all that was stored, and the collector still serves. */
  g_assert_cmpuint (stored_count (f), ==, 0);
  assert_chain (f, d, 0, KA_BALLOT_GENESIS_HASH);

  /* The well-formed ballot itself is fine (the cases above failed for their own reasons). */
  {
    g_autoptr(Reply) r = post_json (f->session, f->collector->url, "v1/ballots", d->token,
                                    valid_one);

    g_assert_cmpuint (list_length (receipt_of (r), "accepted"), ==, 1);
  }
}

static void
test_routes (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(Reply) unknown = get (f->session, f->collector->url, "v1/nothing", NULL);
  g_autoptr(Reply) root = get (f->session, f->collector->url, "", NULL);
  g_autoptr(Reply) chain_extra = get (f->session, f->collector->url,
                                      "v1/devices/a/b/chain", NULL);
  g_autoptr(Reply) delete = http (f->session, "DELETE", f->collector->url, "v1/ballots", NULL,
                                  NULL, NULL, 0);
  g_autoptr(Reply) put = http (f->session, "PUT", f->collector->url, "v1/packs/current",
                               NULL, "application/json", "{}", -1);
  g_autoptr(Reply) health = get (f->session, f->collector->url, "v1/health", NULL);

  assert_error (unknown, SOUP_STATUS_NOT_FOUND, "not_found");
  assert_error (root, SOUP_STATUS_NOT_FOUND, "not_found");
  assert_error (chain_extra, SOUP_STATUS_NOT_FOUND, "not_found");
  assert_error (delete, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed");
  g_assert_cmpstr (soup_message_headers_get_one (delete->headers, "Allow"), ==,
                   "GET, HEAD, POST");
  assert_error (put, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed");
  g_assert_cmpuint (health->status, ==, SOUP_STATUS_OK);
  g_assert_cmpstr (json_object_get_string_member (reply_object (health), "status"), ==, "ok");
}

static guint
count_open_fds (Collector *c)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/fd",
                                           g_subprocess_get_identifier (c->process));
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
test_connections (Fixture       *f,
                  gconstpointer  data)
{
  guint before;
  guint after = 0;

  if (!g_file_test ("/proc/self/fd", G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("no /proc to count file descriptors");
      return;
    }

  /* Clients that come, ask and go must not leave sockets behind (libsoup 3.2 leaks idle
   * keep-alive connections that the client closes: the collector closes every
   * connection after its response). */
  {
    g_autoptr(Reply) warm = get (f->session, f->collector->url, "v1/health", NULL);

    g_assert_cmpstr (soup_message_headers_get_one (warm->headers, "Connection"), ==, "close");
  }
  before = count_open_fds (f->collector);
  for (guint i = 0; i < 60; i++)
    {
      g_autoptr(SoupSession) session = soup_session_new ();
      g_autoptr(Reply) r = get (session, f->collector->url, "v1/health", NULL);

      g_assert_cmpuint (r->status, ==, SOUP_STATUS_OK);
    }

  /* The collector may still be closing the last one or two. */
  for (guint tries = 0; tries < 50 && (after = count_open_fds (f->collector)) > before + 2;
       tries++)
    g_usleep (20000);
  g_assert_cmpuint (after, <=, before + 2);
}

/* Tests: races ----------------------------------------------------------------------- */

typedef struct
{
  GMainLoop   *loop;
  guint        pending;
  SoupMessage *msg[2];
  Reply       *reply[2];
} Race;

static void
race_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Race *race = user_data;
  g_autoptr(GError) error = NULL;
  GBytes *body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  guint slot = GPOINTER_TO_UINT (g_object_get_data (source, "slot"));

  g_assert_no_error (error);
  race->reply[slot] = make_reply (race->msg[slot], body);
  if (--race->pending == 0)
    g_main_loop_quit (race->loop);
}

/* Sends @body to both URLs at once, each on its own connection. */
static void
race (const char *url0,
      const char *url1,
      const char *token,
      const char *body,
      Reply      *replies[2])
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  g_autofree char *auth = bearer (token);
  SoupSession *sessions[2];
  Race r = { loop, 2, { NULL, NULL }, { NULL, NULL } };
  const char *urls[2] = { url0, url1 };

  for (guint i = 0; i < 2; i++)
    {
      sessions[i] = soup_session_new_with_options ("timeout", 60, NULL);
      g_object_set_data (G_OBJECT (sessions[i]), "slot", GUINT_TO_POINTER (i));
      r.msg[i] = new_message ("POST", urls[i], "v1/ballots", auth, "application/json", bytes);
    }
  for (guint i = 0; i < 2; i++)
    soup_session_send_and_read_async (sessions[i], r.msg[i], G_PRIORITY_DEFAULT, NULL,
                                      race_done_cb, &r);
  g_main_loop_run (loop);

  for (guint i = 0; i < 2; i++)
    {
      replies[i] = r.reply[i];
      g_object_unref (r.msg[i]);
      g_object_unref (sessions[i]);
    }
}

/* Across two receipts for the same batch, every ballot is accepted exactly once and
 * reported duplicate by the other; both end at the same chain head. */
static void
assert_race_receipts (Reply     *replies[2],
                      GPtrArray *ballots,
                      guint      from,
                      guint      count)
{
  JsonObject *r0 = receipt_of (replies[0]);
  JsonObject *r1 = receipt_of (replies[1]);
  const KaBallot *last = g_ptr_array_index (ballots, from + count - 1);

  for (guint i = from; i < from + count; i++)
    {
      const char *id = ((KaBallot *) ballots->pdata[i])->ballot_id;
      gboolean a0 = list_contains (r0, "accepted", id);
      gboolean a1 = list_contains (r1, "accepted", id);

      g_assert_true (a0 != a1);
      g_assert_true (list_contains (a0 ? r1 : r0, "duplicate", id));
      assert_reveal (r0, ballots->pdata[i]);
      assert_reveal (r1, ballots->pdata[i]);
    }
  g_assert_cmpuint (list_length (r0, "rejected") + list_length (r1, "rejected"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (r0, "chain_head"), ==, last->hash);
  g_assert_cmpstr (json_object_get_string_member (r1, "chain_head"), ==, last->hash);
  g_assert_cmpint (json_object_get_int_member (r0, "count"), ==, from + count);
  g_assert_cmpint (json_object_get_int_member (r1, "count"), ==, from + count);
}

static guint
count_rows (const char *database)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n = 0;

  g_assert_cmpint (sqlite3_open_v2 (database, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT COUNT(*), COUNT(DISTINCT ballot_id) "
                                       "FROM ballots", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = (guint) sqlite3_column_int (stmt, 0);
  g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, n);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static void
test_race (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(Device) d = enrol (f, "citizen", NULL);
  g_autoptr(GPtrArray) ballots = make_ballots (d, 1000);
  g_autofree char *second_log = NULL;
  Collector *second;
  const char *extra[] = { "--pack", f->pack_path, NULL };

  /* Two connections to one collector. */
  {
    g_autofree char *body = batch_json (d->id, ballots, 0, 500);
    Reply *replies[2];

    race (f->collector->url, f->collector->url, d->token, body, replies);
    assert_race_receipts (replies, ballots, 0, 500);
    reply_free (replies[0]);
    reply_free (replies[1]);
  }

  /* Two collector processes on one database (as several stateless collectors would
   * share one): BEGIN IMMEDIATE and the unique keys keep one row per ballot. */
  second = collector_start (f->dir, f->database, extra);
  for (guint from = 500; from < 1000; from += 250)
    {
      g_autofree char *body = batch_json (d->id, ballots, from, 250);
      Reply *replies[2];

      race (f->collector->url, second->url, d->token, body, replies);
      assert_race_receipts (replies, ballots, from, 250);
      reply_free (replies[0]);
      reply_free (replies[1]);
    }
  second_log = collector_stop (second);
  g_assert_null (strstr (second_log, d->token));

  g_assert_cmpuint (count_rows (f->database), ==, 1000);
  assert_chain (f, d, 1000, d->head);
}

/* Sealing: the attacker --------------------------------------------------------------------- */

/* The model (index into @open's list) that wrote @served: the open response to the same
 * prompt with the same text. Only the test knows the open pack; the attacker below never
 * uses this. -1 if none. */
static int
true_model_of (KaPack               *open,
               const KaPackResponse *served)
{
  g_autoptr(GPtrArray) candidates = ka_pack_get_prompt_responses (open, served->prompt_id);

  for (guint i = 0; candidates != NULL && i < candidates->len; i++)
    {
      const KaPackResponse *r = g_ptr_array_index (candidates, i);
      gboolean same = r->n_turns == served->n_turns;

      for (guint t = 0; same && t < r->n_turns; t++)
        same = strcmp (r->turns[t], served->turns[t]) == 0;
      if (!same)
        continue;
      for (guint m = 0; m < ka_pack_get_n_models (open); m++)
        {
          if (strcmp (ka_pack_get_model (open, m)->model_id, r->model_id) == 0)
            return (int) m;
        }
    }
  return -1;
}

/* The sealed ID of the test pack's answer of @model to @prompt, found by its text. */
static char *
sealed_id_of (KaPack *sealed,
              guint   prompt,
              guint   model)
{
  g_autoptr(GPtrArray) responses = ka_pack_get_prompt_responses (sealed,
                                                                 test_prompts[prompt].prompt_id);
  g_autofree char *text = answer_text (prompt, model);

  for (guint i = 0; i < responses->len; i++)
    {
      const KaPackResponse *r = g_ptr_array_index (responses, i);

      if (strcmp (r->turns[0], text) == 0)
        return g_strdup (r->response_id);
    }
  g_assert_not_reached ();
  return NULL;
}

/* Does @id contain something anyone can compute from public names: the pack builder's
 * unkeyed ID, a plain SHA-256 of the names, or this file's own test IDs? */
static gboolean
id_derives_from (const char *id,
                 const char *pack_id,
                 const char *prompt_id,
                 const char *model_id)
{
  g_autoptr(GByteArray) message = g_byte_array_new ();
  g_autofree char *builder_id = ka_pack_build_response_id (NULL, pack_id, prompt_id, model_id);
  g_autofree char *full = NULL;
  g_autofree char *slash = g_strdup_printf ("%s/%s", prompt_id, model_id);
  g_autofree char *slash_sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, slash, -1);
  g_autofree char *model_sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, model_id, -1);

  g_byte_array_append (message, (const guint8 *) pack_id, strlen (pack_id) + 1);
  g_byte_array_append (message, (const guint8 *) prompt_id, strlen (prompt_id) + 1);
  g_byte_array_append (message, (const guint8 *) model_id, strlen (model_id));
  full = g_compute_checksum_for_data (G_CHECKSUM_SHA256, message->data, message->len);

  return strstr (id, builder_id) != NULL || strstr (id, model_id) != NULL ||
         strncmp (id, full, strlen (id)) == 0 || strstr (id, full) != NULL ||
         g_strstr_len (id, -1, (slash_sum[12] = '\0', slash_sum)) != NULL ||
         g_strstr_len (id, -1, (model_sum[12] = '\0', model_sum)) != NULL;
}

static int
compare_response_ids (gconstpointer a,
                      gconstpointer b)
{
  return strcmp ((*(const KaPackResponse * const *) a)->response_id,
                 (*(const KaPackResponse * const *) b)->response_id);
}

enum
{
  GUESS_PUBLIC_HASH,
  GUESS_ORDER_IN_PROMPT,
  GUESS_ORDER_IN_PACK,
  GUESS_ID_RANK_IN_PROMPT,
  N_GUESSES
};

static const char * const guess_names[N_GUESSES] = {
  "public-name hash of the response ID", "order within the prompt", "order in the pack",
  "rank of the ID within the prompt",
};

typedef struct
{
  guint  n;
  guint  correct[N_GUESSES];
  double expected;    /* correct guesses that blind guessing gets on average */
  double sigma;
} Attack;

/* The attack of issue 10: with the public model list (@open's model IDs, in list order) and
 * everything GET /v1/packs/current returned (@served), guess the model of every served
 * response in four ways, and count the right guesses. */
static Attack
attack (GBytes *served,
        KaPack *open)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaPack) pack = ka_pack_new_from_bytes (served, &error);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_models = ka_pack_get_n_models (open);
  double variance = 0;
  Attack a = { 0, };

  g_assert_no_error (error);
  g_assert_true (ka_pack_is_sealed (pack));

  for (guint i = 0; i < ka_pack_get_n_responses (pack); i++)
    {
      const KaPackResponse *r = ka_pack_get_response (pack, i);
      g_autoptr(GPtrArray) siblings = ka_pack_get_prompt_responses (pack, r->prompt_id);
      int truth = true_model_of (open, r);
      guint in_prompt = GPOINTER_TO_UINT (g_hash_table_lookup (seen, r->prompt_id));
      guint rank = 0;
      int guesses[N_GUESSES];
      double p = 1.0 / siblings->len;

      /* The served text is a response of the open pack, unchanged. */
      g_assert_cmpint (truth, >=, 0);
      g_hash_table_insert (seen, (gpointer) r->prompt_id, GUINT_TO_POINTER (in_prompt + 1));
      g_ptr_array_sort (siblings, compare_response_ids);
      while (g_ptr_array_index (siblings, rank) != r)
        rank++;

      guesses[GUESS_PUBLIC_HASH] = -1;
      for (guint m = 0; m < n_models; m++)
        {
          if (id_derives_from (r->response_id, ka_pack_get_id (pack), r->prompt_id,
                               ka_pack_get_model (open, m)->model_id))
            guesses[GUESS_PUBLIC_HASH] = (int) m;
        }
      guesses[GUESS_ORDER_IN_PROMPT] = (int) (in_prompt % n_models);
      guesses[GUESS_ORDER_IN_PACK] = (int) (i % n_models);
      guesses[GUESS_ID_RANK_IN_PROMPT] = (int) (rank % n_models);

      for (guint g = 0; g < N_GUESSES; g++)
        {
          if (guesses[g] == truth)
            a.correct[g]++;
        }
      a.n++;
      a.expected += p;
      variance += p * (1 - p);
    }

  a.sigma = sqrt (variance);
  return a;
}

/* True when no guess does better than chance: at most 4 standard deviations above the
 * mean of blind guessing (one in 30,000 for each way by luck alone). */
static gboolean
attack_failed (const Attack *a,
               const char   *what)
{
  gboolean failed = TRUE;

  for (guint g = 0; g < N_GUESSES; g++)
    {
      g_test_message ("%s: %s maps %u of %u responses to their model (chance: %.1f +/- %.1f)",
                      what, guess_names[g], a->correct[g], a->n, a->expected, a->sigma);
      if (a->correct[g] > a->expected + 4 * a->sigma)
        failed = FALSE;
    }
  return failed;
}

/* Nothing but the answers themselves may name a model: no identity_terms, models or
 * model_id member, and no model ID, name or organisation in the pack ID, titles, licence,
 * categories or any ID. (Answer text is the identity guard's job; flagged answers are not
 * served at all.) */
static void
assert_names_nobody (GBytes *served,
                     KaPack *open)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) outside_answers = g_string_new (NULL);
  JsonObject *root;
  JsonArray *array;

  json_parser_load_from_data (parser, g_bytes_get_data (served, NULL),
                              (gssize) g_bytes_get_size (served), &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_false (json_object_has_member (root, "identity_terms"));
  g_assert_false (json_object_has_member (root, "models"));

  g_string_append (outside_answers, json_object_get_string_member (root, "pack_id"));
  {
    JsonObject *titles = json_object_get_object_member (root, "title");
    g_autoptr(GList) languages = json_object_get_members (titles);

    for (GList *l = languages; l != NULL; l = l->next)
      g_string_append_printf (outside_answers, "\n%s",
                              json_object_get_string_member (titles, l->data));
  }
  if (json_object_has_member (root, "licence"))
    g_string_append_printf (outside_answers, "\n%s",
                            json_object_get_string_member (root, "licence"));
  array = json_object_get_array_member (root, "prompts");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *prompt = json_array_get_object_element (array, i);

      g_string_append_printf (outside_answers, "\n%s\n%s",
                              json_object_get_string_member (prompt, "prompt_id"),
                              json_object_get_string_member_with_default (prompt, "category",
                                                                          ""));
    }
  array = json_object_get_array_member (root, "responses");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *response = json_array_get_object_element (array, i);

      g_assert_false (json_object_has_member (response, "model_id"));
      g_string_append_printf (outside_answers, "\n%s",
                              json_object_get_string_member (response, "response_id"));
    }

  for (guint m = 0; m < ka_pack_get_n_models (open); m++)
    {
      const KaPackModel *model = ka_pack_get_model (open, m);

      g_assert_null (strstr (outside_answers->str, model->model_id));
      g_assert_null (strstr (outside_answers->str, model->display_name));
      if (model->organisation != NULL)
        g_assert_null (strstr (outside_answers->str, model->organisation));
    }
}

/* Tests: packs ----------------------------------------------------------------------- */

static char *
quoted_sha256 (GBytes *bytes)
{
  g_autofree char *sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);

  return g_strdup_printf ("\"%s\"", sum);
}

static Reply *
get_pack (Fixture    *f,
          const char *token,
          const char *if_none_match)
{
  g_autofree char *auth = token != NULL ? bearer (token) : NULL;
  g_autoptr(SoupMessage) msg = new_message ("GET", f->collector->url, "v1/packs/current",
                                            auth, NULL, NULL);

  if (if_none_match != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "If-None-Match",
                                  if_none_match);
  return send_message (f->session, msg);
}

static void
test_pack (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(Device) citizen = enrol (f, "citizen", NULL);
  g_autoptr(Device) kiosk = enrol (f, "kiosk", ENROLMENT_CODE);
  g_autoptr(Reply) anonymous = get_pack (f, NULL, NULL);
  g_autoptr(Reply) sealed = get_pack (f, citizen->token, NULL);
  g_autoptr(Reply) open = get_pack (f, kiosk->token, NULL);
  g_autoptr(Reply) not_modified = NULL;
  g_autoptr(Reply) weak = NULL;
  g_autoptr(Reply) other_tag = NULL;
  g_autoptr(Reply) kiosk_with_sealed_tag = NULL;
  g_autoptr(Reply) kiosk_not_modified = NULL;
  g_autoptr(Reply) forged = NULL;
  g_autoptr(KaPack) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *file = NULL;
  g_autofree char *sealed_tag = NULL;
  g_autofree char *body = NULL;
  g_autofree char *weak_list = NULL;
  g_autofree char *make_pack_json_text = make_pack_json ();
  const char *etag;
  gsize file_length;

  g_assert_cmpuint (anonymous->status, ==, SOUP_STATUS_OK);
  g_assert_cmpuint (sealed->status, ==, SOUP_STATUS_OK);
  g_assert_cmpuint (open->status, ==, SOUP_STATUS_OK);

  /* Citizens and anonymous clients get the sealed pack: it loads, it is sealed, and not
   * one model name, organisation or model ID is in it. */
  g_assert_true (g_bytes_equal (anonymous->body, sealed->body));
  loaded = ka_pack_new_from_bytes (sealed->body, &error);
  g_assert_no_error (error);
  g_assert_true (ka_pack_is_sealed (loaded));
  g_assert_cmpuint (ka_pack_get_n_responses (loaded), ==, N_PROMPTS * N_MODELS);
  body = g_strndup (g_bytes_get_data (sealed->body, NULL), g_bytes_get_size (sealed->body));
  for (guint m = 0; m < N_MODELS; m++)
    {
      g_assert_null (strstr (body, test_models[m].display_name));
      g_assert_null (strstr (body, test_models[m].organisation));
      g_assert_null (strstr (body, test_models[m].model_id));
    }
  g_assert_null (strstr (body, "\"models\""));
  g_assert_null (strstr (body, "\"model_id\""));
  {
    g_autoptr(GBytes) open_bytes = g_bytes_new (make_pack_json_text, strlen (make_pack_json_text));
    g_autoptr(KaPack) open_pack = ka_pack_new_from_bytes (open_bytes, &error);
    Attack a;

    g_assert_no_error (error);
    assert_names_nobody (sealed->body, open_pack);
    a = attack (sealed->body, open_pack);
    g_assert_true (attack_failed (&a, "sealed test pack"));
    g_assert_cmpuint (a.correct[GUESS_PUBLIC_HASH], ==, 0);
  }

  /* The ETag is the content hash of the body served. */
  sealed_tag = quoted_sha256 (sealed->body);
  etag = soup_message_headers_get_one (sealed->headers, "ETag");
  g_assert_cmpstr (etag, ==, sealed_tag);
  g_assert_cmpstr (soup_message_headers_get_one (anonymous->headers, "ETag"), ==, sealed_tag);
  g_assert_cmpstr (soup_message_headers_get_one (sealed->headers, "Cache-Control"), ==,
                   "no-cache");

  /* If-None-Match: exact, weak, in a list, and "*" all give 304 without a body. */
  not_modified = get_pack (f, citizen->token, sealed_tag);
  g_assert_cmpuint (not_modified->status, ==, SOUP_STATUS_NOT_MODIFIED);
  g_assert_cmpuint (g_bytes_get_size (not_modified->body), ==, 0);
  g_assert_cmpstr (soup_message_headers_get_one (not_modified->headers, "ETag"), ==,
                   sealed_tag);
  weak_list = g_strdup_printf ("\"0000\", W/%s", sealed_tag);
  weak = get_pack (f, NULL, weak_list);
  g_assert_cmpuint (weak->status, ==, SOUP_STATUS_NOT_MODIFIED);
  other_tag = get_pack (f, NULL, "\"0123456789abcdef\"");
  g_assert_cmpuint (other_tag->status, ==, SOUP_STATUS_OK);
  g_assert_true (g_bytes_equal (other_tag->body, sealed->body));

  /* An enrolled kiosk gets the open pack: the organisers' file, byte for byte, under
   * another ETag, so a sealed copy is never mistaken for it. */
  g_file_get_contents (f->pack_path, &file, &file_length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (open->body), ==, file_length);
  g_assert_cmpmem (g_bytes_get_data (open->body, NULL), file_length, file, file_length);
  {
    g_autofree char *open_tag = quoted_sha256 (open->body);

    g_assert_cmpstr (soup_message_headers_get_one (open->headers, "ETag"), ==, open_tag);
    g_assert_cmpstr (open_tag, !=, sealed_tag);
    kiosk_with_sealed_tag = get_pack (f, kiosk->token, sealed_tag);
    g_assert_cmpuint (kiosk_with_sealed_tag->status, ==, SOUP_STATUS_OK);
    kiosk_not_modified = get_pack (f, kiosk->token, open_tag);
    g_assert_cmpuint (kiosk_not_modified->status, ==, SOUP_STATUS_NOT_MODIFIED);
  }
  for (guint m = 0; m < N_MODELS; m++)
    g_assert_nonnull (g_strstr_len (g_bytes_get_data (open->body, NULL),
                                    g_bytes_get_size (open->body),
                                    test_models[m].display_name));

  /* A token that is presented must be valid. */
  forged = get_pack (f, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                     NULL);
  assert_error (forged, SOUP_STATUS_UNAUTHORIZED, "unauthorized");
}

static void
test_no_pack (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(Reply) r = NULL;
  g_autoptr(Reply) kiosk = NULL;
  g_autoptr(Device) d = NULL;
  g_autoptr(GPtrArray) ballots = NULL;
  g_autoptr(Reply) up = NULL;
  JsonObject *receipt;

  r = get (f->session, f->collector->url, "v1/packs/current", NULL);
  assert_error (r, SOUP_STATUS_NOT_FOUND, "no_pack");

  /* Without an enrolment code no kiosk can enrol. */
  kiosk = post_json (f->session, f->collector->url, "v1/devices", NULL,
                     "{\"kind\": \"kiosk\", \"enrolment_code\": \"anything\"}");
  assert_error (kiosk, SOUP_STATUS_FORBIDDEN, "kiosk_enrolment_disabled");

  /* Ballots are still collected, but no names can be revealed. */
  d = enrol (f, "citizen", NULL);
  ballots = make_ballots (d, 3);
  up = upload (f, d, ballots, 0, 3);
  receipt = receipt_of (up);
  g_assert_cmpuint (list_length (receipt, "accepted"), ==, 3);
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (receipt, "reveal")),
                    ==, 0);
}

/* The real pack the app ships (600 answers of six models to 100 Korean prompts): served
 * sealed and open, and revealed in receipts. */
static void
test_sample_pack (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(KaPack) pack = NULL;
  g_autoptr(KaPack) sealed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Device) citizen = NULL;
  g_autoptr(Device) kiosk = NULL;
  g_autoptr(Reply) sealed_reply = NULL;
  g_autoptr(Reply) open_reply = NULL;
  g_autoptr(Reply) up = NULL;
  g_autoptr(GPtrArray) ballots = NULL;
  g_autoptr(GPtrArray) responses = NULL;
  g_autofree char *file = NULL;
  const KaPackPrompt *prompt;
  const KaPackResponse *ra;
  const KaPackResponse *rb;
  JsonObject *entry;
  gsize file_length;

  if (f->pack_path == NULL)
    {
      g_test_skip ("data/packs/sample-ko.json is not in this tree");
      return;
    }

  pack = ka_pack_new_from_file (f->pack_path, &error);
  g_assert_no_error (error);
  citizen = enrol (f, "citizen", NULL);
  kiosk = enrol (f, "kiosk", ENROLMENT_CODE);

  sealed_reply = get_pack (f, citizen->token, NULL);
  g_assert_cmpuint (sealed_reply->status, ==, SOUP_STATUS_OK);
  sealed = ka_pack_new_from_bytes (sealed_reply->body, &error);
  g_assert_no_error (error);
  g_assert_true (ka_pack_is_sealed (sealed));
  g_assert_cmpuint (ka_pack_get_n_models (sealed), ==, 0);
  /* The answers the identity guard flags are left out (docs/pack-format.md). */
  {
    g_autoptr(KaIdentityGuard) guard = ka_identity_guard_new_for_pack (pack);
    guint n_flagged = 0;

    for (guint i = 0; i < ka_pack_get_n_responses (pack); i++)
      if (ka_identity_guard_check_response (guard, ka_pack_get_response (pack, i), NULL))
        n_flagged++;
    g_assert_cmpuint (ka_pack_get_n_responses (sealed), ==,
                      ka_pack_get_n_responses (pack) - n_flagged);
  }
  g_assert_cmpuint (ka_pack_get_n_prompts (sealed), ==, ka_pack_get_n_prompts (pack));
  for (guint i = 0; i < ka_pack_get_n_responses (sealed); i++)
    g_assert_null (ka_pack_get_response (sealed, i)->model_id);
  g_assert_null (g_strstr_len (g_bytes_get_data (sealed_reply->body, NULL),
                               g_bytes_get_size (sealed_reply->body), "\"model_id\""));

  /* The kiosk's copy is the file itself (1.8 MB), under the file's own content hash. */
  open_reply = get_pack (f, kiosk->token, NULL);
  g_assert_cmpuint (open_reply->status, ==, SOUP_STATUS_OK);
  g_file_get_contents (f->pack_path, &file, &file_length, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (open_reply->body, NULL), g_bytes_get_size (open_reply->body),
                   file, file_length);
  {
    g_autofree char *tag = g_strdup_printf ("\"%s\"", ka_pack_get_content_hash (pack));

    g_assert_cmpstr (soup_message_headers_get_one (open_reply->headers, "ETag"), ==, tag);
  }

  /* A citizen's ballot on two real answers, by their sealed IDs, gets the real names back. */
  prompt = ka_pack_get_prompt (pack, 7);
  responses = ka_pack_get_prompt_responses (sealed, prompt->prompt_id);
  g_assert_cmpuint (responses->len, >=, 2);
  ra = g_ptr_array_index (responses, 0);
  rb = g_ptr_array_index (responses, 1);
  ballots = make_ballots (citizen, 1);
  {
    KaBallot *b = g_ptr_array_index (ballots, 0);

    g_free (b->pack_id);
    b->pack_id = g_strdup (ka_pack_get_id (pack));
    g_free (b->prompt_id);
    b->prompt_id = g_strdup (prompt->prompt_id);
    g_free (b->response_a);
    b->response_a = g_strdup (ra->response_id);
    g_free (b->response_b);
    b->response_b = g_strdup (rb->response_id);
    reseal (b);
  }
  up = upload (f, citizen, ballots, 0, 1);
  entry = json_object_get_object_member (json_object_get_object_member (receipt_of (up),
                                                                        "reveal"),
                                         ((KaBallot *) ballots->pdata[0])->ballot_id);
  g_assert_nonnull (entry);
  g_assert_cmpstr (json_object_get_string_member (entry, "model_a"), ==,
                   ka_pack_get_model (pack, true_model_of (pack, ra))->display_name);
  g_assert_cmpstr (json_object_get_string_member (entry, "model_b"), ==,
                   ka_pack_get_model (pack, true_model_of (pack, rb))->display_name);
}

/* Tests: sealing --------------------------------------------------------------------- */

/* An answer that names its maker in its own voice is left out of the sealed copy (a device
 * holding only the sealed copy has no terms to check it against), and its prompt stays
 * while two answers remain. The sample pack has no such answer any more, so one is
 * planted in a copy of it. */
static void
test_seal_flagged (void)
{
  g_autofree char *path = sample_pack_path ();
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(GBytes) planted_bytes = NULL;
  g_autoptr(KaPack) planted = NULL;
  g_autoptr(KaPack) sealed = NULL;
  g_autoptr(GHashTable) map = NULL;
  g_autoptr(GBytes) key = NULL;
  KaPackSealStats stats = { 0, };
  JsonArray *responses;
  JsonObject *victim;
  JsonArray *turns;
  g_autofree char *victim_text = NULL;
  char *doc;
  gsize len;
  guint8 raw[32];

  if (path == NULL || !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("data/packs/sample-ko.json is not in this tree");
      return;
    }
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  responses = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                            "responses");
  victim = json_array_get_object_element (responses, 5);
  turns = json_object_get_array_member (victim, "turns");
  victim_text = g_strconcat (json_array_get_string_element (turns, 0),
                             "\n\n저는 Anthropic이 만든 Claude입니다.", NULL);
  json_array_remove_element (turns, 0);
  json_array_add_string_element (turns, victim_text);

  json_generator_set_root (gen, json_parser_get_root (parser));
  doc = json_generator_to_data (gen, &len);
  planted_bytes = g_bytes_new_take (doc, len);
  planted = ka_pack_new_from_bytes (planted_bytes, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < sizeof raw; i++)
    raw[i] = (guint8) g_random_int ();
  key = g_bytes_new (raw, sizeof raw);
  sealed = ka_pack_seal (planted, key, &map, &stats, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stats.n_flagged, ==, 1);
  g_assert_cmpuint (ka_pack_get_n_responses (sealed), ==, ka_pack_get_n_responses (planted) - 1);
  g_assert_cmpuint (ka_pack_get_n_prompts (sealed), ==, ka_pack_get_n_prompts (planted));
  for (guint i = 0; i < ka_pack_get_n_responses (sealed); i++)
    g_assert_null (strstr (ka_pack_get_response (sealed, i)->turns[0], "Claude입니다"));
}

/* The issue's attack on the real sample pack (600 answers of six models): it must fail on
 * what the collector serves, and it must succeed on the old sealed form (the open pack
 * without its models), or it proves nothing. */
static void
test_seal_attack (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(KaPack) open = NULL;
  g_autoptr(KaIdentityGuard) guard = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Device) citizen = NULL;
  g_autoptr(Reply) anonymous = NULL;
  g_autoptr(Reply) sealed = NULL;
  g_autoptr(JsonNode) old_node = NULL;
  g_autoptr(GBytes) old_form = NULL;
  g_autoptr(KaPack) served = NULL;
  guint flagged = 0;
  Attack a;

  if (f->pack_path == NULL)
    {
      g_test_skip ("data/packs/sample-ko.json is not in this tree");
      return;
    }

  open = ka_pack_new_from_file (f->pack_path, &error);
  g_assert_no_error (error);
  citizen = enrol (f, "citizen", NULL);
  anonymous = get_pack (f, NULL, NULL);
  sealed = get_pack (f, citizen->token, NULL);
  g_assert_cmpuint (sealed->status, ==, SOUP_STATUS_OK);
  g_assert_true (g_bytes_equal (anonymous->body, sealed->body));

  a = attack (sealed->body, open);
  g_assert_true (attack_failed (&a, "sealed copy"));
  g_assert_cmpuint (a.correct[GUESS_PUBLIC_HASH], ==, 0);
  assert_names_nobody (sealed->body, open);

  /* Every answer the guard flags is left out (a device could not check them any more),
   * and every other answer is there. */
  guard = ka_identity_guard_new_for_pack (open);
  for (guint i = 0; i < ka_pack_get_n_responses (open); i++)
    flagged += ka_identity_guard_check_response (guard, ka_pack_get_response (open, i), NULL);
  served = ka_pack_new_from_bytes (sealed->body, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ka_pack_get_n_responses (served), ==,
                    ka_pack_get_n_responses (open) - flagged);
  for (guint i = 0; i < ka_pack_get_n_responses (served); i++)
    {
      const KaPackResponse *r = ka_pack_get_response (served, i);
      g_autoptr(GPtrArray) siblings = ka_pack_get_prompt_responses (open, r->prompt_id);

      for (guint j = 0; j < siblings->len; j++)
        {
          const KaPackResponse *o = g_ptr_array_index (siblings, j);

          if (strcmp (o->turns[0], r->turns[0]) == 0)
            g_assert_false (ka_identity_guard_check_response (guard, o, NULL));
        }
    }

  /* The old sealed form: 600 of 600 map back. */
  old_node = ka_pack_to_json (open, TRUE);
  {
    char *text = json_to_string (old_node, FALSE);

    old_form = g_bytes_new_take (text, strlen (text));
  }
  a = attack (old_form, open);
  g_assert_false (attack_failed (&a, "old sealed form"));
  g_assert_cmpuint (a.correct[GUESS_PUBLIC_HASH], ==, ka_pack_get_n_responses (open));
}

/* Citizens vote on sealed IDs; the receipt, the tallies and the CSV export still name the
 * right models, and the JSON Lines export keeps each ballot exactly as the device sent it. */
static void
test_seal_reveal (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(KaPack) open = NULL;
  g_autoptr(KaPack) sealed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Device) citizen = enrol (f, "citizen", NULL);
  g_autoptr(Device) kiosk = enrol (f, "kiosk", ENROLMENT_CODE);
  g_autoptr(Reply) pack_reply = get_pack (f, citizen->token, NULL);
  g_autoptr(GPtrArray) c_ballots = NULL;
  g_autoptr(GPtrArray) k_ballots = NULL;
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                          NULL);
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(Reply) tallies = NULL;
  g_autoptr(Reply) csv = NULL;
  g_autofree char *log = NULL;
  JsonArray *array;
  gint64 sum = 0;

  open = ka_pack_new_from_file (f->pack_path, &error);
  g_assert_no_error (error);
  sealed = ka_pack_new_from_bytes (pack_reply->body, &error);
  g_assert_no_error (error);
  g_assert_true (ka_pack_is_sealed (sealed));
  g_assert_cmpuint (ka_pack_get_n_responses (sealed), ==, N_PROMPTS * N_MODELS);
  for (guint p = 0; p < N_PROMPTS; p++)
    for (guint m = 0; m < N_MODELS; m++)
      {
        char *id = sealed_id_of (sealed, p, m);
        g_autofree char *open_id = response_id (p, m);

        g_assert_cmpstr (id, !=, open_id);
        g_assert_null (ka_pack_lookup_response (open, id));
        g_hash_table_insert (names, id, (gpointer) test_models[m].display_name);
      }

  /* The start-up log says what is served to whom. */
  log = ka_test_read_file_or_empty (f->collector->log_path);
  g_assert_nonnull (strstr (log, "serving pack test-collector-ko-2026: the open file "
                                 "(12 responses) to enrolled kiosks"));
  g_assert_nonnull (strstr (log, "a sealed copy to citizen devices and anonymous clients "
                                 "(12 responses to 4 prompts"));
  g_assert_nonnull (strstr (log, "collector.sqlite3.seal-key"));

  c_ballots = make_ballots_on (citizen, 30, sealed);
  k_ballots = make_ballots (kiosk, 6);    /* a kiosk votes on the open pack's IDs */

  {
    g_autoptr(Reply) r1 = upload (f, citizen, c_ballots, 0, 30);
    g_autoptr(Reply) r2 = upload (f, kiosk, k_ballots, 0, 6);
    JsonObject *receipt = receipt_of (r1);
    JsonObject *reveal = json_object_get_object_member (receipt, "reveal");

    g_assert_cmpuint (list_length (receipt, "accepted"), ==, 30);
    for (guint i = 0; i < c_ballots->len; i++)
      {
        const KaBallot *b = c_ballots->pdata[i];
        JsonObject *entry = json_object_get_object_member (reveal, b->ballot_id);

        g_assert_nonnull (entry);
        g_assert_cmpstr (json_object_get_string_member (entry, "model_a"), ==,
                         g_hash_table_lookup (names, b->response_a));
        g_assert_cmpstr (json_object_get_string_member (entry, "model_b"), ==,
                         g_hash_table_lookup (names, b->response_b));
      }
    receipt = receipt_of (r2);
    for (guint i = 0; i < k_ballots->len; i++)
      assert_reveal (receipt, k_ballots->pdata[i]);
  }

  for (guint pass = 0; pass < 2; pass++)
    {
      GPtrArray *list = pass == 0 ? c_ballots : k_ballots;

      for (guint i = 0; i < list->len; i++)
        {
          const KaBallot *b = list->pdata[i];
          const char *a = pass == 0 ? g_hash_table_lookup (names, b->response_a)
                                    : display_name_of_response (b->response_a);
          const char *c = pass == 0 ? g_hash_table_lookup (names, b->response_b)
                                    : display_name_of_response (b->response_b);
          char *key = g_strjoin ("|", a, c, ka_winner_to_string (b->winner), NULL);

          g_hash_table_insert (expected, key,
                               GINT_TO_POINTER (GPOINTER_TO_INT (g_hash_table_lookup (expected,
                                                                                      key)) + 1));
        }
    }

  tallies = get (f->session, f->collector->url, "v1/tallies", ORGANISER_TOKEN);
  g_assert_cmpuint (tallies->status, ==, SOUP_STATUS_OK);
  g_assert_cmpint (json_object_get_int_member (reply_object (tallies), "counted"), ==, 36);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                     reply_object (tallies), "excluded"), "unresolved"), ==, 0);
  array = json_object_get_array_member (reply_object (tallies), "tallies");
  g_assert_cmpuint (json_array_get_length (array), ==, g_hash_table_size (expected));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *row = json_array_get_object_element (array, i);
      g_autofree char *key = g_strjoin ("|", json_object_get_string_member (row, "model_a"),
                                        json_object_get_string_member (row, "model_b"),
                                        json_object_get_string_member (row, "winner"), NULL);

      g_assert_cmpint (json_object_get_int_member (row, "count"), ==,
                       GPOINTER_TO_INT (g_hash_table_lookup (expected, key)));
      sum += json_object_get_int_member (row, "count");
    }
  g_assert_cmpint (sum, ==, 36);

  /* The CSV names the models of every citizen ballot, beside its sealed IDs. */
  csv = get (f->session, f->collector->url, "v1/ballots?format=csv", ORGANISER_TOKEN);
  g_assert_cmpuint (csv->status, ==, SOUP_STATUS_OK);
  {
    g_autofree char *text = g_strndup (g_bytes_get_data (csv->body, NULL),
                                       g_bytes_get_size (csv->body));
    g_auto(GStrv) rows = g_strsplit (text, "\r\n", -1);
    guint checked = 0;

    for (guint i = 1; rows[i] != NULL && rows[i][0] != '\0'; i++)
      {
        g_auto(GStrv) cells = g_strsplit (rows[i], ",", -1);
        const char *a = g_hash_table_lookup (names, cells[6]);

        if (a == NULL)
          continue;
        g_assert_cmpstr (cells[8], ==, a);
        g_assert_cmpstr (cells[9], ==, g_hash_table_lookup (names, cells[7]));
        checked++;
      }
    g_assert_cmpuint (checked, ==, 30);
  }

  /* JSON Lines: byte for byte what the devices signed, sealed IDs and all. */
  lines = export_lines (f);
  g_assert_cmpuint (lines->len, ==, 36);
  for (guint i = 0; i < c_ballots->len; i++)
    {
      g_autofree char *canonical = ka_ballot_canonical_json (c_ballots->pdata[i], TRUE);

      g_assert_true (export_contains (lines, canonical));
    }

  /* The organisers' tools (organiser window, `kai-arena-admin tally --server`): the export
   * and the open pack match only the kiosk's ballots; with the collector's seal maps, all. */
  {
    g_autoptr(GBytes) jsonl = ka_export_fetch_collector_ballots (f->collector->url,
                                                                 ORGANISER_TOKEN, NULL,
                                                                 &error);
    g_autoptr(GPtrArray) parsed = NULL;
    g_autoptr(GPtrArray) packs = g_ptr_array_new ();
    g_autoptr(KaCollectorClient) client = NULL;
    g_autoptr(GHashTable) maps = NULL;
    g_autoptr(KaVoteLog) without = ka_vote_log_new ();
    g_autoptr(KaVoteLog) with = ka_vote_log_new ();
    g_autoptr(Reply) anonymous = get (f->session, f->collector->url, "v1/seal-maps", NULL);
    g_autoptr(Reply) device = get (f->session, f->collector->url, "v1/seal-maps",
                                   citizen->token);
    KaExportStats stats;

    g_assert_no_error (error);
    parsed = ka_export_parse_ballots (jsonl, &error);
    g_assert_no_error (error);
    g_ptr_array_add (packs, open);
    ka_export_add_ballots (without, parsed, packs, &stats);
    g_assert_cmpuint (stats.added, ==, 6);
    g_assert_cmpuint (stats.unknown_response, ==, 30);

    /* The map is the seal: organisers only. */
    assert_error (anonymous, SOUP_STATUS_UNAUTHORIZED, "unauthorized");
    g_assert_cmpuint (device->status, ==, SOUP_STATUS_UNAUTHORIZED);
    client = ka_collector_client_new (f->collector->url, ORGANISER_TOKEN, &error);
    g_assert_no_error (error);
    maps = ka_seal_maps_fetch (client, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_hash_table_size (maps), ==, 1);
    g_assert_cmpuint (ka_seal_maps_apply (maps, packs), ==, 1);
    ka_export_add_ballots (with, parsed, packs, &stats);
    g_assert_cmpuint (stats.added, ==, 36);
    g_assert_cmpuint (stats.unknown_response, ==, 0);
    g_assert_cmpuint (ka_vote_log_get_n_models (with), ==, N_MODELS);
    for (guint m = 0; m < N_MODELS; m++)
      {
        gboolean found = FALSE;

        for (guint k = 0; k < N_MODELS; k++)
          found |= g_strcmp0 (ka_vote_log_get_model (with, k),
                              test_models[m].display_name) == 0;
        g_assert_true (found);
      }
  }
}

static GBytes *
fetch_sealed (SoupSession *session,
              const char  *url,
              char       **etag)
{
  g_autoptr(SoupMessage) msg = new_message ("GET", url, "v1/packs/current", NULL, NULL, NULL);
  g_autoptr(Reply) r = send_message (session, msg);

  g_assert_cmpuint (r->status, ==, SOUP_STATUS_OK);
  if (etag != NULL)
    *etag = g_strdup (soup_message_headers_get_one (r->headers, "ETag"));
  return g_bytes_ref (r->body);
}

/* The key: made 0600 next to the database and kept across restarts; two collectors with
 * one key serve the same bytes (a load balancer may send a device to either); another key
 * gives other IDs; a missing or short key is refused. */
static void
test_seal_key (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *key_path = g_strconcat (f->database, ".seal-key", NULL);
  g_autofree char *key = NULL;
  g_autofree char *tag = NULL;
  g_autofree char *other_tag = NULL;
  g_autofree char *db_b = g_build_filename (f->dir, "b.sqlite3", NULL);
  g_autofree char *db_c = g_build_filename (f->dir, "c.sqlite3", NULL);
  g_autofree char *other_key = g_build_filename (f->dir, "other.key", NULL);
  g_autofree char *short_key = g_build_filename (f->dir, "short.key", NULL);
  g_autoptr(GBytes) first = fetch_sealed (f->session, f->collector->url, &tag);
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GBytes) twin = NULL;
  g_autoptr(GBytes) other = NULL;
  g_autoptr(KaPack) first_pack = NULL;
  g_autoptr(KaPack) other_pack = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;
  int status;

  g_assert_cmpint (g_stat (key_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_file_get_contents (key_path, &key, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (key), ==, 65);
  g_assert_cmpuint (strspn (key, "0123456789abcdef"), ==, 64);

  /* Restarted on the same database: the same key, the same bytes. */
  g_free (collector_stop (f->collector));
  {
    const char * const args[] = {
      "--organiser-token", ORGANISER_TOKEN, "--pack", f->pack_path, NULL
    };

    f->collector = collector_start (f->dir, f->database, args);
  }
  again = fetch_sealed (f->session, f->collector->url, NULL);
  g_assert_true (g_bytes_equal (first, again));

  /* A second collector (another database, as behind a load balancer) given the key. */
  {
    const char * const args[] = { "--seal-key-file", key_path, "--pack", f->pack_path, NULL };
    Collector *b = collector_start (f->dir, db_b, args);
    g_autofree char *twin_tag = NULL;

    twin = fetch_sealed (f->session, b->url, &twin_tag);
    g_assert_cmpstr (twin_tag, ==, tag);
    g_free (collector_stop (b));
  }
  g_assert_true (g_bytes_equal (first, twin));

  /* Another key: the same answers under other IDs, none shared. */
  g_file_set_contents (other_key, "another-key-of-at-least-32-bytes-for-this-test\n", -1,
                       &error);
  g_assert_no_error (error);
  g_chmod (other_key, 0600);
  {
    const char * const args[] = { "--seal-key-file", other_key, "--pack", f->pack_path, NULL };
    Collector *c = collector_start (f->dir, db_c, args);

    other = fetch_sealed (f->session, c->url, &other_tag);
    g_free (collector_stop (c));
  }
  g_assert_cmpstr (other_tag, !=, tag);
  first_pack = ka_pack_new_from_bytes (first, &error);
  g_assert_no_error (error);
  other_pack = ka_pack_new_from_bytes (other, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ka_pack_get_n_responses (other_pack), ==,
                    ka_pack_get_n_responses (first_pack));
  for (guint i = 0; i < ka_pack_get_n_responses (other_pack); i++)
    g_assert_null (ka_pack_lookup_response (first_pack,
                                            ka_pack_get_response (other_pack, i)->response_id));

  /* A key file that is not there is not made up, and a short one is refused. */
  g_file_set_contents (short_key, "0123456789abcdef\n", -1, &error);
  g_assert_no_error (error);
  {
    const char * const missing[] = {
      "--listen", "127.0.0.1:0", "--database", db_c, "--seal-key-file",
      "/nonexistent/seal.key", "--pack", f->pack_path, NULL
    };
    const char * const too_short[] = {
      "--listen", "127.0.0.1:0", "--database", db_c, "--seal-key-file", short_key,
      "--pack", f->pack_path, NULL
    };
    g_autofree char *err1 = run_refused (missing, &status);
    g_autofree char *err2 = run_refused (too_short, &status);

    g_assert_nonnull (strstr (err1, "--seal-key-file /nonexistent/seal.key does not exist"));
    g_assert_false (g_file_test ("/nonexistent/seal.key", G_FILE_TEST_EXISTS));
    g_assert_nonnull (strstr (err2, "at least 32 are needed"));
  }
}

/* A pack given sealed is served as it is, with a warning when it still lists
 * identity_terms; an open pack whose title names a model cannot be sealed, so the collector
 * refuses to start. */
static void
test_seal_given (void)
{
  g_autofree char *dir = ka_test_make_tmp_dir ("ka-test-collector-XXXXXX");
  g_autofree char *database = g_build_filename (dir, "given.sqlite3", NULL);
  g_autofree char *sealed_path = g_build_filename (dir, "sealed.json", NULL);
  g_autofree char *named_path = g_build_filename (dir, "named.json", NULL);
  g_autofree char *open_json = make_pack_json ();
  g_autofree char *sealed_json = NULL;
  g_autofree char *named_json = NULL;
  g_autofree char *file = NULL;
  g_autofree char *log = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) open_bytes = g_bytes_new (open_json, strlen (open_json));
  g_autoptr(KaPack) open = ka_pack_new_from_bytes (open_bytes, &error);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GBytes) served = NULL;
  g_autoptr(JsonNode) node = NULL;
  Collector *c;
  int status;

  g_assert_no_error (error);
  node = ka_pack_to_json (open, TRUE);
  sealed_json = json_to_string (node, TRUE);
  g_file_set_contents (sealed_path, sealed_json, -1, &error);
  g_assert_no_error (error);
  {
    const char * const args[] = { "--pack", sealed_path, NULL };

    c = collector_start (dir, database, args);
  }
  served = fetch_sealed (session, c->url, NULL);
  g_assert_cmpmem (g_bytes_get_data (served, NULL), g_bytes_get_size (served), sealed_json,
                   strlen (sealed_json));
  log = collector_stop (c);
  g_assert_nonnull (strstr (log, "serving pack test-collector-ko-2026 as given: it is sealed"));
  g_assert_nonnull (strstr (log, "warning: sealed pack test-collector-ko-2026 lists 3 "
                                 "identity_terms"));

  named_json = g_strdup (open_json);
  {
    char *title = strstr (named_json, "Collector test pack");

    g_assert_nonnull (title);
    memcpy (title, "Solar Pro 2 and rest", strlen ("Collector test pack"));
  }
  g_file_set_contents (named_path, named_json, -1, &error);
  g_assert_no_error (error);
  {
    const char * const args[] = {
      "--listen", "127.0.0.1:0", "--database", database, "--pack", named_path, NULL
    };
    g_autofree char *err = run_refused (args, &status);

    g_assert_nonnull (strstr (err, "cannot seal pack test-collector-ko-2026: title.en names "
                                   "\"Solar Pro"));
  }

  ka_test_remove_tree (dir);
}

/* Tests: organisers ------------------------------------------------------------------ */

static void
test_organiser (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(Device) citizen = enrol (f, "citizen", NULL);
  g_autoptr(Device) kiosk = enrol (f, "kiosk", ENROLMENT_CODE);
  g_autoptr(GPtrArray) c_ballots = make_ballots (citizen, 40);
  g_autoptr(GPtrArray) k_ballots = NULL;
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(Reply) tallies = NULL;
  g_autoptr(Reply) csv = NULL;
  g_autoptr(Reply) kiosk_only = NULL;
  g_autoptr(Reply) bad_format = NULL;
  g_autoptr(Reply) bad_param = NULL;
  g_auto(GStrv) rows = NULL;
  JsonObject *excluded;
  JsonArray *array;
  gint64 sum = 0;
  guint flagged = 0;

  /* Kiosk ballots, three of them flagged by the identity guard (left out of tallies). */
  k_ballots = g_ptr_array_new_with_free_func ((GDestroyNotify) ka_ballot_free);
  {
    g_autoptr(GPtrArray) made = make_ballots (kiosk, 12);

    kiosk->seq = 0;
    g_free (kiosk->head);
    kiosk->head = g_strdup (KA_BALLOT_GENESIS_HASH);
    for (guint i = 0; i < made->len; i++)
      {
        KaBallot *b = ka_ballot_copy (made->pdata[i]);

        b->mode = KA_MODE_KIOSK;
        b->identity_flag = i < 3;
        g_free (b->prev_hash);
        b->prev_hash = g_strdup (kiosk->head);
        reseal (b);
        g_free (kiosk->head);
        kiosk->head = g_strdup (b->hash);
        kiosk->seq = b->seq;
        g_ptr_array_add (k_ballots, b);
      }
  }

  {
    g_autoptr(Reply) r1 = upload (f, citizen, c_ballots, 0, 40);
    g_autoptr(Reply) r2 = upload (f, kiosk, k_ballots, 0, 12);

    g_assert_cmpuint (list_length (receipt_of (r1), "accepted"), ==, 40);
    g_assert_cmpuint (list_length (receipt_of (r2), "accepted"), ==, 12);
  }

  for (guint pass = 0; pass < 2; pass++)
    {
      GPtrArray *list = pass == 0 ? c_ballots : k_ballots;

      for (guint i = 0; i < list->len; i++)
        {
          const KaBallot *b = list->pdata[i];
          char *key;

          if (b->identity_flag)
            {
              flagged++;
              continue;
            }
          key = g_strjoin ("|", display_name_of_response (b->response_a),
                           display_name_of_response (b->response_b),
                           ka_winner_to_string (b->winner), NULL);
          g_hash_table_insert (expected, key,
                               GINT_TO_POINTER (GPOINTER_TO_INT (g_hash_table_lookup (expected,
                                                                                      key)) + 1));
        }
    }
  g_assert_cmpuint (flagged, ==, 3);

  tallies = get (f->session, f->collector->url, "v1/tallies", ORGANISER_TOKEN);
  g_assert_cmpuint (tallies->status, ==, SOUP_STATUS_OK);
  g_assert_cmpint (json_object_get_int_member (reply_object (tallies), "ballots"), ==, 52);
  g_assert_cmpint (json_object_get_int_member (reply_object (tallies), "counted"), ==, 49);
  excluded = json_object_get_object_member (reply_object (tallies), "excluded");
  g_assert_cmpint (json_object_get_int_member (excluded, "identity_flag"), ==, 3);
  array = json_object_get_array_member (reply_object (tallies), "tallies");
  g_assert_cmpuint (json_array_get_length (array), ==, g_hash_table_size (expected));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *row = json_array_get_object_element (array, i);
      g_autofree char *key = g_strjoin ("|", json_object_get_string_member (row, "model_a"),
                                        json_object_get_string_member (row, "model_b"),
                                        json_object_get_string_member (row, "winner"), NULL);

      g_assert_cmpint (json_object_get_int_member (row, "count"), ==,
                       GPOINTER_TO_INT (g_hash_table_lookup (expected, key)));
      sum += json_object_get_int_member (row, "count");
    }
  g_assert_cmpint (sum, ==, 49);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (reply_object (tallies),
                                                                         "models")), ==,
                    N_MODELS);

  kiosk_only = get (f->session, f->collector->url, "v1/tallies?mode=kiosk", ORGANISER_TOKEN);
  g_assert_cmpint (json_object_get_int_member (reply_object (kiosk_only), "ballots"), ==, 12);
  g_assert_cmpint (json_object_get_int_member (reply_object (kiosk_only), "counted"), ==, 9);

  /* CSV: a byte-order mark, a header, one CRLF row per ballot. */
  csv = get (f->session, f->collector->url, "v1/ballots?format=csv", ORGANISER_TOKEN);
  g_assert_cmpuint (csv->status, ==, SOUP_STATUS_OK);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (csv->headers, NULL),
                                   "text/csv"));
  {
    g_autofree char *text = g_strndup (g_bytes_get_data (csv->body, NULL),
                                       g_bytes_get_size (csv->body));

    g_assert_true (g_str_has_prefix (text, "\xef\xbb\xbf" "ballot_id,device_id,device_kind,"));
    rows = g_strsplit (text, "\r\n", -1);
    g_assert_cmpuint (g_strv_length (rows), ==, 1 + 52 + 1);
    g_assert_cmpstr (rows[53], ==, "");
    g_assert_nonnull (strstr (text, test_models[0].display_name));
  }

  bad_format = get (f->session, f->collector->url, "v1/ballots?format=xml", ORGANISER_TOKEN);
  assert_error (bad_format, SOUP_STATUS_BAD_REQUEST, "invalid_request");
  bad_param = get (f->session, f->collector->url, "v1/tallies?limit=5", ORGANISER_TOKEN);
  assert_error (bad_param, SOUP_STATUS_BAD_REQUEST, "invalid_request");
  g_assert_cmpuint (stored_count (f), ==, 52);
}

/* Tests: durability, throughput ------------------------------------------------------ */

static void
test_restart (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(Device) d = enrol (f, "citizen", NULL);
  g_autoptr(GPtrArray) ballots = make_ballots (d, 10);
  const char *extra[] = {
    "--organiser-token", ORGANISER_TOKEN, "--pack", f->pack_path, NULL
  };

  {
    g_autoptr(Reply) r = upload (f, d, ballots, 0, 6);

    g_assert_cmpuint (list_length (receipt_of (r), "accepted"), ==, 6);
  }

  /* A clean stop and a new process on the same database: the device's token still works
   * and its chain continues where it was. */
  g_free (collector_stop (f->collector));
  f->collector = collector_start (f->dir, f->database, extra);

  assert_chain (f, d, 6, ((KaBallot *) ballots->pdata[5])->hash);
  {
    g_autoptr(Reply) r = upload (f, d, ballots, 0, 10);
    JsonObject *receipt = receipt_of (r);

    g_assert_cmpuint (list_length (receipt, "duplicate"), ==, 6);
    g_assert_cmpuint (list_length (receipt, "accepted"), ==, 4);
  }
  assert_chain (f, d, 10, d->head);
}

static void
test_throughput (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(Device) d = enrol (f, "citizen", NULL);
  g_autoptr(GPtrArray) ballots = make_ballots (d, 2000);
  gint64 total_us = 0;

  /* Figures only (no timing is asserted): a 500-ballot batch, parsed, verified and
   * committed with synchronous=FULL before the 201. */
  for (guint from = 0; from < 2000; from += 500)
    {
      g_autofree char *body = batch_json (d->id, ballots, from, 500);
      gint64 start = g_get_monotonic_time ();
      g_autoptr(Reply) r = post_json (f->session, f->collector->url, "v1/ballots", d->token,
                                      body);
      gint64 elapsed = g_get_monotonic_time () - start;

      g_assert_cmpuint (list_length (receipt_of (r), "accepted"), ==, 500);
      total_us += elapsed;
      g_test_message ("500-ballot batch %u: %.1f ms, %.0f ballots/s", from / 500,
                      elapsed / 1000.0, 500.0 * G_USEC_PER_SEC / MAX (elapsed, 1));
    }
  g_test_message ("2000 ballots in 4 batches of 500: %.0f ballots/s",
                  2000.0 * G_USEC_PER_SEC / MAX (total_us, 1));
  assert_chain (f, d, 2000, d->head);
}

/* Tests: options --------------------------------------------------------------------- */

/* Runs the collector with @args; it must exit non-zero without starting. Returns stderr. */
static char *
run_refused (const char * const *args,
             int                *status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) p = NULL;
  g_autofree char *out = NULL;
  char *err = NULL;

  p = ka_test_collector_spawn (args, NULL, "all",
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (p, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (p));
  *status = g_subprocess_get_exit_status (p);
  g_assert_cmpint (*status, !=, 0);
  g_assert_null (strstr (out, "listening on"));
  return err;
}

static void
test_options (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = ka_test_make_tmp_dir ("ka-test-collector-XXXXXX");
  g_autofree char *database = g_build_filename (dir, "refused.sqlite3", NULL);
  g_autofree char *cert = g_test_build_filename (G_TEST_DIST, "data", "collector-test-cert.pem",
                                                 NULL);
  g_autofree char *key = g_test_build_filename (G_TEST_DIST, "data", "collector-test-key.pem",
                                                NULL);
  /* Documentation addresses (RFC 5737, RFC 3849): never assigned to this machine, so a
   * collector that tried to bind them would fail with another message, and nothing can
   * ever be served there. The TLS check must refuse before any bind. */
  const char * const plain_public_v4[] = {
    "--listen", "192.0.2.10:8443", "--database", database, NULL
  };
  const char * const plain_public_v6[] = {
    "--listen", "[2001:db8::10]:8443", "--database", database, NULL
  };
  const char * const cert_without_key[] = {
    "--listen", "127.0.0.1:0", "--database", database, "--tls-cert", cert, NULL
  };
  const char * const missing_cert[] = {
    "--listen", "127.0.0.1:0", "--database", database, "--tls-cert", "/nonexistent.pem",
    "--tls-key", key, NULL
  };
  const char * const no_database[] = { "--listen", "127.0.0.1:0", NULL };
  const char * const bad_listen[] = {
    "--listen", "127.0.0.1", "--database", database, NULL
  };
  const char * const host_name[] = {
    "--listen", "collector.example:443", "--database", database, NULL
  };
  const char * const short_token[] = {
    "--listen", "127.0.0.1:0", "--database", database, "--organiser-token", "secret", NULL
  };
  int status;

  g_assert_no_error (error);

  {
    g_autofree char *err = run_refused (plain_public_v4, &status);

    g_assert_nonnull (strstr (err, "refusing to serve plain HTTP on 192.0.2.10"));
    g_assert_nonnull (strstr (err, "TLS"));
    g_assert_null (strstr (err, "cannot listen"));
  }
  {
    g_autofree char *err = run_refused (plain_public_v6, &status);

    g_assert_nonnull (strstr (err, "refusing to serve plain HTTP on 2001:db8::10"));
  }
  /* Refused before anything was written, too. */
  g_assert_false (g_file_test (database, G_FILE_TEST_EXISTS));

  {
    g_autofree char *err = run_refused (cert_without_key, &status);

    g_assert_nonnull (strstr (err, "--tls-cert and --tls-key go together"));
  }
  {
    g_autofree char *err = run_refused (missing_cert, &status);

    g_assert_nonnull (strstr (err, "cannot load the TLS certificate"));
  }
  {
    g_autofree char *err = run_refused (no_database, &status);

    g_assert_nonnull (strstr (err, "--database"));
  }
  {
    g_autofree char *err = run_refused (bad_listen, &status);

    g_assert_nonnull (strstr (err, "ADDRESS:PORT"));
  }
  {
    g_autofree char *err = run_refused (host_name, &status);

    g_assert_nonnull (strstr (err, "not an IP address"));
  }
  {
    g_autofree char *err = run_refused (short_token, &status);

    g_assert_nonnull (strstr (err, "at least 16 characters"));
  }
  g_assert_false (g_file_test (database, G_FILE_TEST_EXISTS));

  ka_test_remove_tree (dir);
}

static void
test_newer_schema (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = ka_test_make_tmp_dir ("ka-test-collector-XXXXXX");
  g_autofree char *database = g_build_filename (dir, "newer.sqlite3", NULL);
  const char * const args[] = { "--listen", "127.0.0.1:0", "--database", database, NULL };
  g_autofree char *err = NULL;
  sqlite3 *db = NULL;
  int status;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open (database, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_close (db);

  err = run_refused (args, &status);
  g_assert_nonnull (strstr (err, "newer than this collector"));
  ka_test_remove_tree (dir);
}

static gboolean
accept_any_certificate_cb (SoupMessage          *msg,
                           GTlsCertificate      *certificate,
                           GTlsCertificateFlags  errors,
                           gpointer              user_data)
{
  gboolean *seen = user_data;

  *seen = TRUE;
  return TRUE;
}

static void
test_tls (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = ka_test_make_tmp_dir ("ka-test-collector-XXXXXX");
  g_autofree char *database = g_build_filename (dir, "tls.sqlite3", NULL);
  g_autofree char *cert = g_test_build_filename (G_TEST_DIST, "data", "collector-test-cert.pem",
                                                 NULL);
  g_autofree char *key = g_test_build_filename (G_TEST_DIST, "data", "collector-test-key.pem",
                                                NULL);
  const char * const extra[] = { "--tls-cert", cert, "--tls-key", key, NULL };
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 30, NULL);
  g_autoptr(SoupMessage) trusting = NULL;
  g_autoptr(SoupMessage) strict = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) refused = NULL;
  g_autofree char *url = NULL;
  g_autofree char *log = NULL;
  gboolean seen = FALSE;
  Collector *c;

  g_assert_no_error (error);
  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("no GIO TLS backend (install glib-networking)");
      ka_test_remove_tree (dir);
      return;
    }

  c = collector_start (dir, database, extra);
  g_assert_true (g_str_has_prefix (c->url, "https://127.0.0.1:"));
  url = g_strconcat (c->url, "v1/health", NULL);

  /* The certificate is self-signed: a client that does not pin it refuses it. */
  strict = soup_message_new ("GET", url);
  refused = soup_session_send_and_read (session, strict, NULL, &error);
  g_assert_null (refused);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);

  trusting = soup_message_new ("GET", url);
  g_signal_connect (trusting, "accept-certificate", G_CALLBACK (accept_any_certificate_cb),
                    &seen);
  body = soup_session_send_and_read (session, trusting, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (seen);
  g_assert_cmpuint (soup_message_get_status (trusting), ==, SOUP_STATUS_OK);

  log = collector_stop (c);
  ka_test_remove_tree (dir);
}

/* The organiser token (issue 11): only the whole token opens the organiser endpoints. A
 * token differing in its last character, one character short or long, or the token's own
 * SHA-256 (what the collector keeps) is refused. */
static void
test_organiser_token (Fixture       *f,
                      gconstpointer  data)
{
  const char *token = ORGANISER_TOKEN;
  gsize n = strlen (token);
  g_autofree char *last = g_strdup (token);
  g_autofree char *first = g_strdup (token);
  g_autofree char *shorter = g_strndup (token, n - 1);
  g_autofree char *longer = g_strconcat (token, "0", NULL);
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
  const char *wrong[5];

  last[n - 1] = last[n - 1] == '9' ? '8' : '9';
  first[0] = first[0] == 'o' ? 'O' : 'o';
  wrong[0] = last;
  wrong[1] = first;
  wrong[2] = shorter;
  wrong[3] = longer;
  wrong[4] = digest;

  for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
    {
      g_autoptr(Reply) tallies = get (f->session, f->collector->url, "v1/tallies", wrong[i]);
      g_autoptr(Reply) export = get (f->session, f->collector->url, "v1/ballots", wrong[i]);

      assert_error (tallies, SOUP_STATUS_UNAUTHORIZED, "unauthorized");
      assert_error (export, SOUP_STATUS_UNAUTHORIZED, "unauthorized");
    }

  {
    g_autoptr(Reply) tallies = get (f->session, f->collector->url, "v1/tallies", token);
    g_autoptr(Reply) export = get (f->session, f->collector->url, "v1/ballots", token);

    g_assert_cmpuint (tallies->status, ==, SOUP_STATUS_OK);
    g_assert_cmpuint (export->status, ==, SOUP_STATUS_OK);
  }

  /* The kiosk enrolment code likewise: its last character matters. */
  {
    g_autofree char *code = g_strdup (ENROLMENT_CODE);
    g_autofree char *body = NULL;
    g_autoptr(Reply) refused = NULL;

    code[strlen (code) - 1] = code[strlen (code) - 1] == '6' ? '7' : '6';
    body = g_strdup_printf ("{\"kind\":\"kiosk\",\"enrolment_code\":\"%s\"}", code);
    refused = post_json (f->session, f->collector->url, "v1/devices", NULL, body);
    g_assert_cmpuint (refused->status, !=, SOUP_STATUS_CREATED);
    g_assert_cmpuint (refused->status, >=, 400);
  }
}

/* Two tokens whose SHA-256 digests share their first 8 hex digits (c67cdefb…), found by a
 * birthday search over "organiser-token-partial-collision-%08d". The collector compares
 * digests, so only such a pair shows whether it compares all of them (issue 11). */
#define COLLIDING_TOKEN_A "organiser-token-partial-collision-00026953"
#define COLLIDING_TOKEN_B "organiser-token-partial-collision-00129124"

static const char * const colliding_token_args[] = {
  "--enrolment-code", ENROLMENT_CODE,
  "--organiser-token", COLLIDING_TOKEN_A,
  "--citizen-enrolments-per-hour", "0",
  NULL
};

static void
test_organiser_token_digest (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *a = g_compute_checksum_for_string (G_CHECKSUM_SHA256, COLLIDING_TOKEN_A, -1);
  g_autofree char *b = g_compute_checksum_for_string (G_CHECKSUM_SHA256, COLLIDING_TOKEN_B, -1);
  g_autoptr(Reply) wrong = NULL;
  g_autoptr(Reply) right = NULL;

  /* The pair is what it claims to be. */
  g_assert_cmpint (strncmp (a, b, 8), ==, 0);
  g_assert_cmpstr (a, !=, b);

  wrong = get (f->session, f->collector->url, "v1/tallies", COLLIDING_TOKEN_B);
  assert_error (wrong, SOUP_STATUS_UNAUTHORIZED, "unauthorized");
  right = get (f->session, f->collector->url, "v1/tallies", COLLIDING_TOKEN_A);
  g_assert_cmpuint (right->status, ==, SOUP_STATUS_OK);
}

static void
test_no_collector (void)
{
  g_test_skip ("KA_COLLECTOR is not set: kai-arena-collector was not built");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("KA_COLLECTOR") == NULL)
    {
      /* Built without the collector (its sources absent): nothing to test here. */
      g_test_add_func ("/ka/collector/skipped", test_no_collector);
      return g_test_run ();
    }

#define ADD(path, func, args) \
  g_test_add ("/ka/collector/" path, Fixture, args, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/ka/collector/options", test_options);
  g_test_add_func ("/ka/collector/newer-schema", test_newer_schema);
  g_test_add_func ("/ka/collector/tls", test_tls);
  ADD ("enrol", test_enrol, NULL);
  ADD ("enrol-own-id", test_enrol_own_id, NULL);
  ADD ("enrol-rate-limit", test_enrol_rate_limit, rate_limited_args);
  ADD ("upload-chain", test_upload_chain, NULL);
  ADD ("duplicate", test_duplicate, NULL);
  ADD ("conflict", test_conflict, NULL);
  ADD ("chain-break", test_chain_break, NULL);
  ADD ("other-device", test_other_device, NULL);
  ADD ("auth", test_auth, NULL);
  ADD ("hostile", test_hostile, NULL);
  ADD ("routes", test_routes, NULL);
  ADD ("connections", test_connections, NULL);
  ADD ("race", test_race, NULL);
  ADD ("pack", test_pack, NULL);
  ADD ("no-pack", test_no_pack, no_pack_args);
  ADD ("sample-pack", test_sample_pack, sample_pack_args);
  ADD ("seal-attack", test_seal_attack, sample_pack_args);
  ADD ("seal-reveal", test_seal_reveal, NULL);
  ADD ("seal-key", test_seal_key, NULL);
  g_test_add_func ("/ka/collector/seal-given", test_seal_given);
  g_test_add_func ("/ka/collector/seal-flagged", test_seal_flagged);
  ADD ("organiser", test_organiser, NULL);
  ADD ("restart", test_restart, NULL);
  ADD ("throughput", test_throughput, NULL);
  ADD ("organiser-token", test_organiser_token, NULL);
  ADD ("organiser-token-digest", test_organiser_token_digest, colliding_token_args);
#undef ADD

  return g_test_run ();
}
