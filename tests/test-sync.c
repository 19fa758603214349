/* test-sync.c: the sync client (KaSync) against the real collector, through faults
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every network test starts the built kai-arena-collector ($KA_COLLECTOR) on 127.0.0.1
 * with a fresh database, casts ballots into a real store with ka_store_commit_ballot(),
 * and syncs with KaSync, sometimes through a fault-injecting proxy written below (a
 * GSocketListener in its own thread that forwards to the collector, or drops, hangs,
 * trickles, rewrites or answers requests itself, by a seeded random choice). What the
 * collector holds is read back through its organisers' JSON Lines export and compared
 * with the store: every ballot exactly once, none missing.
 *
 * The TLS case uses tests/data/collector-test-{cert,key}.pem, the self-signed TEST-ONLY
 * certificate of tests/test-collector.c: no system trusts it.
 *
 * Environment: KA_TEST_SEED overrides the fault mix's seed; KA_SYNC_FAULT_BALLOTS and
 * KA_SYNC_KILL_TRIALS the sizes of the two long cases.
 */

#define G_LOG_DOMAIN "test-sync"

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "ka-ballot.h"
#include "ka-pack.h"
#include "ka-store.h"
#include "ka-sync.h"
#include "ka-test-support.h"

#define ORGANISER_TOKEN  "organiser-token-for-the-sync-tests-0123456789"
#define ENROLMENT_CODE   "venue-busan-bexco-2026"
#define PACK_ID          "test-sync-ko-2026"
#define DEFAULT_SEED     20261129

/* The test pack ---------------------------------------------------------------------- */

static const struct
{
  const char *model_id;
  const char *display_name;
} test_models[] = {
  { "m-exaone", "EXAONE-3.5-32B-Instruct" },
  { "m-hcx", "HyperCLOVA X THINK" },
  { "m-solar", "Solar Pro 2" },
};

static const char * const test_prompts[] = { "p-kimchi", "p-sort", "p-hangul", "p-math" };

#define N_MODELS  G_N_ELEMENTS (test_models)
#define N_PROMPTS G_N_ELEMENTS (test_prompts)

static char *
response_id (guint prompt,
             guint model)
{
  return g_strdup_printf ("r-%s-%u", test_prompts[prompt], model * 7 + 3);
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
  json_builder_add_string_value (b, PACK_ID);
  json_builder_set_member_name (b, "title");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ko");
  json_builder_add_string_value (b, "동기화 시험용 묶음");
  json_builder_set_member_name (b, "en");
  json_builder_add_string_value (b, "Sync test pack");
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
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "prompts");
  json_builder_begin_array (b);
  for (guint p = 0; p < N_PROMPTS; p++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "prompt_id");
      json_builder_add_string_value (b, test_prompts[p]);
      json_builder_set_member_name (b, "turns");
      json_builder_begin_array (b);
      json_builder_add_string_value (b, "서울에서 부산까지 가는 방법을 비교해 주세요.");
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

        json_builder_begin_object (b);
        json_builder_set_member_name (b, "response_id");
        json_builder_add_string_value (b, id);
        json_builder_set_member_name (b, "prompt_id");
        json_builder_add_string_value (b, test_prompts[p]);
        json_builder_set_member_name (b, "model_id");
        json_builder_add_string_value (b, test_models[m].model_id);
        json_builder_set_member_name (b, "turns");
        json_builder_begin_array (b);
        json_builder_add_string_value (b, "KTX를 타면 약 2시간 30분이 걸립니다.");
        json_builder_end_array (b);
        json_builder_end_object (b);
      }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "identity_terms");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "엑사원");
  json_builder_end_array (b);
  json_builder_set_member_name (b, "licence");
  json_builder_add_string_value (b, "CC0-1.0");
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return json_to_string (root, TRUE);
}

static const char *
display_name_of (const char *response)
{
  for (guint p = 0; p < N_PROMPTS; p++)
    for (guint m = 0; m < N_MODELS; m++)
      {
        g_autofree char *id = response_id (p, m);

        if (strcmp (id, response) == 0)
          return test_models[m].display_name;
      }
  return NULL;
}

static guint
test_seed (void)
{
  const char *env = g_getenv ("KA_TEST_SEED");

  return env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : DEFAULT_SEED;
}

static guint
env_uint (const char *name,
          guint       fallback)
{
  const char *env = g_getenv (name);

  return env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : fallback;
}

/* The collector process -------------------------------------------------------------- */

typedef struct
{
  KaTestCollector   proc;       /* process, stdout, url, log_path */
  guint16           port;
  char             *database;
  char             *pack_path;
  char             *dir;
  gboolean          tls;
  gboolean          kiosk_code;
} Collector;

/* Starts the collector on 127.0.0.1:@port (0 = any) and waits for its URL. */
static void
collector_launch (Collector *c,
                  guint16    port)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *log_path = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  static guint serial;
  const char *colon;

  g_ptr_array_add (argv, g_strdup ("--listen"));
  g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u", port));
  g_ptr_array_add (argv, g_strdup ("--database"));
  g_ptr_array_add (argv, g_strdup (c->database));
  g_ptr_array_add (argv, g_strdup ("--organiser-token"));
  g_ptr_array_add (argv, g_strdup (ORGANISER_TOKEN));
  g_ptr_array_add (argv, g_strdup ("--citizen-enrolments-per-hour"));
  g_ptr_array_add (argv, g_strdup ("0"));
  g_ptr_array_add (argv, g_strdup ("--pack"));
  g_ptr_array_add (argv, g_strdup (c->pack_path));
  if (c->kiosk_code)
    {
      g_ptr_array_add (argv, g_strdup ("--enrolment-code"));
      g_ptr_array_add (argv, g_strdup (ENROLMENT_CODE));
    }
  if (c->tls)
    {
      cert = g_test_build_filename (G_TEST_DIST, "data", "collector-test-cert.pem", NULL);
      key = g_test_build_filename (G_TEST_DIST, "data", "collector-test-key.pem", NULL);
      g_ptr_array_add (argv, g_strdup ("--tls-cert"));
      g_ptr_array_add (argv, g_strdup (cert));
      g_ptr_array_add (argv, g_strdup ("--tls-key"));
      g_ptr_array_add (argv, g_strdup (key));
    }
  g_ptr_array_add (argv, NULL);

  log_path = g_strdup_printf ("%s/collector-%u.log", c->dir, ++serial);
  ka_test_collector_launch (&c->proc, (const char * const *) argv->pdata, log_path,
                            "ka-collector");
  colon = strrchr (c->proc.url, ':');
  g_assert_nonnull (colon);
  c->port = (guint16) g_ascii_strtoull (colon + 1, NULL, 10);
  g_assert_cmpuint (c->port, >, 0);
}

static Collector *
collector_start_full (const char *dir,
                      gboolean    tls,
                      gboolean    kiosk_code)
{
  Collector *c = g_new0 (Collector, 1);
  g_autofree char *pack = make_pack_json ();
  g_autoptr(GError) error = NULL;

  c->dir = g_strdup (dir);
  c->database = g_build_filename (dir, "collector.sqlite3", NULL);
  c->pack_path = g_build_filename (dir, "pack.json", NULL);
  c->tls = tls;
  c->kiosk_code = kiosk_code;
  g_file_set_contents (c->pack_path, pack, -1, &error);
  g_assert_no_error (error);

  collector_launch (c, 0);
  return c;
}

static Collector *
collector_start (const char *dir)
{
  return collector_start_full (dir, FALSE, FALSE);
}

/* SIGTERM; the collector must exit 0. */
static void
collector_halt (Collector *c)
{
  if (!ka_test_collector_terminate (&c->proc))
    {
      g_autofree char *log = ka_test_read_file_or_empty (c->proc.log_path);

      g_error ("the collector did not exit cleanly; its log:\n%s", log);
    }
}

static void
collector_free (Collector *c)
{
  if (c->proc.process != NULL)
    collector_halt (c);
  ka_test_collector_clear (&c->proc);
  g_free (c->database);
  g_free (c->pack_path);
  g_free (c->dir);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Collector, collector_free)

/* The organisers' export: every stored ballot, one canonical JSON line each. Over TLS the
 * test's own session accepts the test certificate (KaSync never does). */
static gboolean
accept_any_cb (SoupMessage          *msg,
               GTlsCertificate      *certificate,
               GTlsCertificateFlags  errors,
               gpointer              user_data)
{
  return TRUE;
}

static GPtrArray *
collector_export (Collector *c)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 60, NULL);
  g_autofree char *url = g_strconcat (c->proc.url, "v1/ballots?format=jsonl", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *ballots = g_ptr_array_new_with_free_func ((GDestroyNotify) ka_ballot_free);
  g_autofree char *text = NULL;
  gsize size;
  const char *data;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                "Bearer " ORGANISER_TOKEN);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_cb), NULL);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);

  data = g_bytes_get_data (body, &size);
  text = g_strndup (data != NULL ? data : "", size);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      KaBallot *b;

      if (lines[i][0] == '\0')
        continue;
      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      b = ka_ballot_new_from_json (json_parser_get_root (parser), &error);
      g_assert_no_error (error);
      g_ptr_array_add (ballots, b);
    }

  return ballots;
}

/* The collector holds every ballot of @store exactly once, byte for byte, and nothing
 * else; every ballot of @store is delivered (unless @allow_pending). */
static void
assert_collector_holds_exactly (Collector *c,
                                KaStore   *store)
{
  g_autoptr(GPtrArray) remote = collector_export (c);
  g_autoptr(GPtrArray) local = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  KaOutboxCounts counts;

  local = ka_store_list_ballots (store, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < remote->len; i++)
    {
      KaBallot *b = g_ptr_array_index (remote, i);

      if (!g_hash_table_add (seen, b->ballot_id))
        g_error ("the collector holds ballot %s twice", b->ballot_id);
    }

  if (remote->len != local->len)
    g_error ("the collector holds %u ballots, the store %u", remote->len, local->len);

  for (guint i = 0; i < local->len; i++)
    {
      KaBallot *b = g_ptr_array_index (local, i);
      KaBallot *r = NULL;

      for (guint j = 0; j < remote->len && r == NULL; j++)
        {
          /* Same order (device, seq) on both sides: usually j == i. */
          KaBallot *candidate = g_ptr_array_index (remote, (i + j) % remote->len);

          if (strcmp (candidate->ballot_id, b->ballot_id) == 0)
            r = candidate;
        }
      if (r == NULL)
        g_error ("ballot %s (seq %" G_GINT64_FORMAT ") is missing on the collector",
                 b->ballot_id, b->seq);
      g_assert_true (ka_ballot_equal (b, r));
    }

  g_assert_true (ka_store_get_outbox_counts (store, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpint (counts.pending, ==, 0);
  g_assert_cmpint (counts.rejected, ==, 0);
  g_assert_cmpint (counts.delivered, ==, local->len);
}

/* Stores and ballots ----------------------------------------------------------------- */

static void
cast (KaStore *store,
      guint    n)
{
  static guint serial;

  for (guint k = 0; k < n; k++)
    {
      guint i = serial++;
      guint prompt = i % N_PROMPTS;
      guint left = i % N_MODELS;
      guint right = (left + 1 + (i / N_MODELS) % (N_MODELS - 1)) % N_MODELS;
      g_autofree char *a = response_id (prompt, left);
      g_autofree char *b = response_id (prompt, right);
      g_autoptr(GError) error = NULL;
      g_autoptr(KaBallot) ballot = NULL;
      KaBallotDraft draft = {
        .session_id = "session-sync",
        .pack_id = PACK_ID,
        .prompt_id = test_prompts[prompt],
        .response_a = a,
        .response_b = b,
        .winner = (KaWinner) (i % 4),
        .shown_at = "2026-11-29T12:00:00.000Z",
        .voted_at = "2026-11-29T12:00:09.250Z",
        .decision_ms = 9250 + i % 1000,
        .mode = KA_MODE_CITIZEN,
        .ui_language = "ko",
        .identity_flag = FALSE,
      };

      ballot = ka_store_commit_ballot (store, &draft, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (ballot);
    }
}

static KaStore *
open_store (const char *dir,
            const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  KaStore *store = ka_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static KaOutboxCounts
counts_of (KaStore *store)
{
  g_autoptr(GError) error = NULL;
  KaOutboxCounts counts;

  g_assert_true (ka_store_get_outbox_counts (store, &counts, &error));
  g_assert_no_error (error);
  return counts;
}

/* Driving KaSync --------------------------------------------------------------------- */

static KaSync *
make_sync (KaStore    *store,
           const char *url,
           guint       timeout,
           guint       batch_size)
{
  return g_object_new (KA_TYPE_SYNC,
                       "store", store,
                       "server-url", url,
                       "timeout", timeout,
                       "batch-size", batch_size,
                       "jitter-seed", test_seed (),
                       NULL);
}

static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

/* The fault-injecting proxy ---------------------------------------------------------- */

typedef enum
{
  F_PASS,
  F_CLOSE_BEFORE,     /* close the connection without forwarding */
  F_CLOSE_AFTER,      /* forward (the collector commits), then close without replying */
  F_HANG_BEFORE,      /* never answer; the client's timeout must fire */
  F_HANG_AFTER,       /* forward, then never answer */
  F_500,
  F_502,
  F_503,
  F_503_RETRY,        /* 503 with Retry-After: 1, as a busy collector answers */
  F_BURST,            /* 500 now and 5xx for the next 1-4 requests */
  F_429_SECONDS,      /* Retry-After: delay-seconds */
  F_429_DATE,         /* Retry-After: HTTP-date */
  F_429_GARBAGE,      /* Retry-After: soon */
  F_429_HUGE,         /* Retry-After: 99999999 (clamped to one hour) */
  F_PORTAL_200,       /* a captive portal's 200 text/html */
  F_PORTAL_302,       /* a captive portal's redirect */
  F_TRICKLE,          /* forward, then the first bytes one per second */
  /* Rewrites of the collector's answer to POST /v1/ballots, after it committed. */
  F_TRUNCATED,
  F_WRONG_TYPES,
  F_NO_RECEIPT,
  F_HUGE_BODY,
  F_EXTRA_ID,
  F_MISSING_ID,
  F_TWICE_ID,
  F_BAD_HEAD,
  F_TEXT_PLAIN,
  F_STATUS_200,
  N_FAULTS
} Fault;

static const char * const fault_names[N_FAULTS] = {
  "pass", "close-before", "close-after", "hang-before", "hang-after", "500", "502", "503",
  "503-retry-after", "5xx-burst", "429-seconds", "429-http-date", "429-garbage",
  "429-99999999", "portal-200", "portal-302", "trickle", "truncated", "wrong-types",
  "no-receipt", "huge-body", "extra-id", "missing-id", "id-twice", "bad-chain-head",
  "text-plain", "receipt-with-200",
};

#define FIRST_REWRITE F_TRUNCATED

/* Per-request weights of the seeded mix (sum 100). */
static const guint mix_weights[N_FAULTS] = {
  [F_PASS] = 40, [F_CLOSE_BEFORE] = 5, [F_CLOSE_AFTER] = 8, [F_HANG_BEFORE] = 2,
  [F_HANG_AFTER] = 2, [F_500] = 3, [F_502] = 3, [F_503] = 2, [F_503_RETRY] = 2,
  [F_BURST] = 3, [F_429_SECONDS] = 3, [F_429_DATE] = 3, [F_429_GARBAGE] = 2,
  [F_429_HUGE] = 1, [F_PORTAL_200] = 3, [F_PORTAL_302] = 2, [F_TRICKLE] = 2,
  [F_TRUNCATED] = 2, [F_WRONG_TYPES] = 1, [F_NO_RECEIPT] = 1, [F_HUGE_BODY] = 1,
  [F_EXTRA_ID] = 2, [F_MISSING_ID] = 2, [F_TWICE_ID] = 1, [F_BAD_HEAD] = 1,
  [F_TEXT_PLAIN] = 1, [F_STATUS_200] = 2,
};

typedef struct
{
  GMutex           lock;
  GSocketListener *listener;
  guint16          port;
  guint16          upstream_port;
  GCancellable    *cancellable;
  GThread         *accept_thread;
  GPtrArray       *threads;
  GRand           *rand;
  const guint     *weights;       /* NULL: pass everything not forced */
  GQueue           forced;        /* faults for the next POST /v1/ballots */
  guint            burst_left;
  guint            retry_min;     /* range of Retry-After delay-seconds */
  guint            retry_max;
  double           time_scale;
  /* statistics */
  guint            requests;
  guint            posts;
  guint            by_fault[N_FAULTS];
  gint64           wait_from_us;  /* when a Retry-After answer was sent (monotonic) */
  gint64           wait_min_us;   /* the least the client must wait after it */
  guint            waits_checked;
  guint            wait_violations;
  GString         *log;
  /* Scripted answers (issue 11): the chain endpoint's body, and model names added to the
   * receipt's reveal for every rejected ballot. */
  char            *chain_body;
  gboolean         reveal_rejected;
  /* Hangs: the first @real_hangs wait until the client gives up (its timeout fires); later
   * ones, if @hang_limit_us > 0, end after that long with a closed connection, so that a
   * long fault mix does not spend whole seconds on each (issue 11). */
  guint            real_hangs;
  gint64           hang_limit_us;
} Proxy;

typedef struct
{
  Proxy             *proxy;
  GSocketConnection *connection;
} ConnArgs;

static gboolean
write_all (GOutputStream *out,
           const void    *data,
           gsize          size,
           GCancellable  *cancellable)
{
  return g_output_stream_write_all (out, data, size, NULL, cancellable, NULL);
}

/* Finds "\r\n\r\n" in @buf; returns the offset after it, or 0. */
static gsize
header_end (GByteArray *buf)
{
  for (gsize i = 0; i + 3 < buf->len; i++)
    {
      if (memcmp (buf->data + i, "\r\n\r\n", 4) == 0)
        return i + 4;
    }
  return 0;
}

/* The value of header @name in a raw head, or NULL. */
static char *
header_value (const char *head,
              gsize       head_len,
              const char *name)
{
  g_autofree char *text = g_strndup (head, head_len);
  g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);
  gsize name_len = strlen (name);

  for (guint i = 1; lines[i] != NULL; i++)
    {
      if (g_ascii_strncasecmp (lines[i], name, name_len) == 0 && lines[i][name_len] == ':')
        return g_strstrip (g_strdup (lines[i] + name_len + 1));
    }
  return NULL;
}

/* Reads one HTTP message (head and Content-Length body; a response without one runs to
 * EOF) from @in, keeping any extra bytes in @pending. */
static GBytes *
read_message (GInputStream *in,
              GByteArray   *pending,
              gboolean      response,
              GCancellable *cancellable)
{
  gsize head_len;
  gsize total;
  g_autofree char *length = NULL;
  gboolean to_eof = FALSE;
  GBytes *message;

  while ((head_len = header_end (pending)) == 0)
    {
      guint8 chunk[16384];
      gssize n = g_input_stream_read (in, chunk, sizeof chunk, cancellable, NULL);

      if (n <= 0)
        return NULL;
      g_byte_array_append (pending, chunk, n);
    }

  length = header_value ((const char *) pending->data, head_len, "Content-Length");
  if (length != NULL)
    total = head_len + g_ascii_strtoull (length, NULL, 10);
  else if (response && !g_str_has_prefix ((const char *) pending->data + 9, "304"))
    {
      to_eof = TRUE;
      total = G_MAXSIZE;
    }
  else
    total = head_len;

  while (pending->len < total)
    {
      guint8 chunk[65536];
      gssize n = g_input_stream_read (in, chunk, sizeof chunk, cancellable, NULL);

      if (n < 0 || (n == 0 && !to_eof))
        return NULL;
      if (n == 0)
        break;
      g_byte_array_append (pending, chunk, n);
    }

  if (to_eof)
    total = pending->len;
  message = g_bytes_new (pending->data, total);
  g_byte_array_remove_range (pending, 0, total);
  return message;
}

/* Forwards a request to the collector on a fresh connection and returns its whole
 * response, or NULL. */
static GBytes *
forward (Proxy  *proxy,
         GBytes *request)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) upstream = NULL;
  g_autoptr(GByteArray) pending = g_byte_array_new ();
  g_autoptr(GString) rewritten = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  g_autofree char *head = NULL;
  gsize size;
  const char *data = g_bytes_get_data (request, &size);
  const char *end = g_strstr_len (data, size, "\r\n\r\n");
  guint16 port;

  g_mutex_lock (&proxy->lock);
  port = proxy->upstream_port;
  g_mutex_unlock (&proxy->lock);

  /* Connection: close upstream, so that every response ends at EOF at the latest. */
  head = g_strndup (data, end - data);
  lines = g_strsplit (head, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_ascii_strncasecmp (lines[i], "Connection:", 11) == 0)
        continue;
      g_string_append (rewritten, lines[i]);
      g_string_append (rewritten, "\r\n");
    }
  g_string_append (rewritten, "Connection: close\r\n\r\n");
  g_string_append_len (rewritten, end + 4, size - (end + 4 - data));

  g_socket_client_set_timeout (client, 60);
  upstream = g_socket_client_connect_to_host (client, "127.0.0.1", port, proxy->cancellable,
                                              NULL);
  if (upstream == NULL)
    return NULL;
  if (!write_all (g_io_stream_get_output_stream (G_IO_STREAM (upstream)), rewritten->str,
                  rewritten->len, proxy->cancellable))
    return NULL;

  return read_message (g_io_stream_get_input_stream (G_IO_STREAM (upstream)), pending, TRUE,
                       proxy->cancellable);
}

static void
respond (GOutputStream *out,
         GCancellable  *cancellable,
         guint          status,
         const char    *reason,
         const char    *content_type,
         const char    *extra_headers,
         const char    *body,
         gsize          body_len)
{
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 %u %s\r\nContent-Type: %s\r\n"
                                           "Content-Length: %" G_GSIZE_FORMAT "\r\n%s\r\n",
                                           status, reason, content_type, body_len,
                                           extra_headers != NULL ? extra_headers : "");

  write_all (out, head, strlen (head), cancellable);
  write_all (out, body, body_len, cancellable);
}

static void
respond_error (GOutputStream *out,
               GCancellable  *cancellable,
               guint          status,
               const char    *reason,
               const char    *code,
               const char    *extra_headers)
{
  g_autofree char *body = g_strdup_printf ("{\"error\":{\"code\":\"%s\",\"message\":"
                                           "\"injected by the test proxy\"}}", code);

  respond (out, cancellable, status, reason, "application/json", extra_headers, body,
           strlen (body));
}

/* Waits until the client gives up (closes) or the proxy stops. */
static void
wait_for_close (GInputStream *in,
                GCancellable *cancellable)
{
  guint8 chunk[4096];

  while (g_input_stream_read (in, chunk, sizeof chunk, cancellable, NULL) > 0)
    ;
}

/* Waits until the client closes, the proxy stops, or @limit_us has passed. */
static void
wait_for_close_within (GSocketConnection *connection,
                       GCancellable      *cancellable,
                       gint64             limit_us)
{
  GSocket *socket = g_socket_connection_get_socket (connection);
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  gint64 end = g_get_monotonic_time () + limit_us;
  guint8 chunk[4096];

  for (;;)
    {
      gint64 left = end - g_get_monotonic_time ();

      if (left <= 0 ||
          !g_socket_condition_timed_wait (socket, G_IO_IN, left, cancellable, NULL) ||
          g_input_stream_read (in, chunk, sizeof chunk, cancellable, NULL) <= 0)
        return;
    }
}

/* Splits a raw response into head and JSON body. */
static JsonNode *
response_json (GBytes  *response,
               guint   *status)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize size;
  const char *data = g_bytes_get_data (response, &size);
  const char *end = g_strstr_len (data, size, "\r\n\r\n");

  *status = (guint) g_ascii_strtoull (data + 9, NULL, 10);
  if (end == NULL || !json_parser_load_from_data (parser, end + 4, size - (end + 4 - data),
                                                  NULL))
    return NULL;
  return json_parser_steal_root (parser);
}

/* Rewrites a receipt (or passes anything else on unchanged). */
static void
rewrite_receipt (GOutputStream *out,
                 GCancellable  *cancellable,
                 GBytes        *response,
                 Fault          fault)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *body = NULL;
  JsonObject *receipt;
  JsonArray *accepted;
  guint status;
  gsize size;
  const char *data = g_bytes_get_data (response, &size);

  root = response_json (response, &status);
  if (status != 201 || root == NULL)
    {
      write_all (out, data, size, cancellable);
      return;
    }

  receipt = json_object_get_object_member (json_node_get_object (root), "receipt");
  accepted = json_object_get_array_member (receipt, "accepted");

  switch (fault)
    {
    case F_TRUNCATED:
      body = json_to_string (root, FALSE);
      body[strlen (body) / 2] = '\0';
      break;
    case F_WRONG_TYPES:
      json_object_set_string_member (receipt, "accepted", "all of them");
      json_object_set_string_member (receipt, "count", "4");
      body = json_to_string (root, FALSE);
      break;
    case F_NO_RECEIPT:
      body = g_strdup ("{\"status\":\"ok\"}");
      break;
    case F_HUGE_BODY:
      {
        /* 20 MiB of valid JSON: the client must stop reading long before the end. */
        GString *huge = g_string_sized_new (21 * 1024 * 1024);
        g_autofree char *valid = json_to_string (root, FALSE);

        g_string_append_len (huge, valid, strlen (valid) - 1);
        g_string_append (huge, ",\"padding\":\"");
        for (guint i = 0; i < 20 * 1024; i++)
          g_string_append (huge, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz01234567"
                           "89ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                           "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789AB"
                           "CDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789ABCD"
                           "EFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789ABCDEF"
                           "GHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH"
                           "IJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ"
                           "KLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL"
                           "MNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN"
                           "OPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP"
                           "QRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQR"
                           "STUVWXYZabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRST"
                           "UVWXYZabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUV"
                           "WXYZabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWX"
                           "YZabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                           "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZab");
        g_string_append (huge, "\"}");
        body = g_string_free (huge, FALSE);
      }
      break;
    case F_EXTRA_ID:
      json_array_add_string_element (accepted, "00000000-0000-4000-8000-000000000000");
      body = json_to_string (root, FALSE);
      break;
    case F_MISSING_ID:
      if (json_array_get_length (accepted) > 0)
        json_array_remove_element (accepted, 0);
      else
        json_object_set_array_member (receipt, "duplicate", json_array_new ());
      body = json_to_string (root, FALSE);
      break;
    case F_TWICE_ID:
      {
        JsonArray *duplicate = json_object_get_array_member (receipt, "duplicate");

        if (json_array_get_length (accepted) > 0)
          json_array_add_string_element (duplicate, json_array_get_string_element (accepted, 0));
        else if (json_array_get_length (duplicate) > 0)
          json_array_add_string_element (accepted, json_array_get_string_element (duplicate, 0));
        body = json_to_string (root, FALSE);
      }
      break;
    case F_BAD_HEAD:
      json_object_set_string_member (receipt, "chain_head", "not-a-hash");
      body = json_to_string (root, FALSE);
      break;
    case F_TEXT_PLAIN:
      body = json_to_string (root, FALSE);
      respond (out, cancellable, 201, "Created", "text/plain", NULL, body, strlen (body));
      return;
    case F_STATUS_200:
      body = json_to_string (root, FALSE);
      respond (out, cancellable, 200, "OK", "application/json", NULL, body, strlen (body));
      return;
    default:
      g_assert_not_reached ();
    }

  respond (out, cancellable, 201, "Created", "application/json", NULL, body, strlen (body));
}

static Fault
choose_fault (Proxy      *proxy,
              const char *method,
              const char *path)
{
  gboolean upload = strcmp (method, "POST") == 0 && strcmp (path, "/v1/ballots") == 0;
  Fault fault = F_PASS;
  guint roll;

  /* Enrolment is not idempotent (a lost 201 gives 409): the tests enrol without faults. */
  if (strcmp (path, "/v1/devices") == 0)
    return F_PASS;

  if (upload && !g_queue_is_empty (&proxy->forced))
    return GPOINTER_TO_UINT (g_queue_pop_head (&proxy->forced)) - 1;

  if (proxy->burst_left > 0)
    {
      proxy->burst_left--;
      return g_rand_boolean (proxy->rand) ? F_502 : F_503;
    }

  if (proxy->weights == NULL)
    return F_PASS;

  roll = (guint) g_rand_int_range (proxy->rand, 0, 100);
  for (guint f = 0; f < N_FAULTS; f++)
    {
      if (roll < proxy->weights[f])
        {
          fault = (Fault) f;
          break;
        }
      roll -= proxy->weights[f];
    }

  if (fault == F_BURST)
    proxy->burst_left = (guint) g_rand_int_range (proxy->rand, 1, 5);
  if (fault >= FIRST_REWRITE && !upload)
    fault = F_PASS;
  return fault;
}

/* Records that the client must not come back before @min_us has passed. */
static void
expect_wait (Proxy  *proxy,
             gint64  min_us)
{
  g_mutex_lock (&proxy->lock);
  proxy->wait_from_us = g_get_monotonic_time ();
  proxy->wait_min_us = min_us;
  g_mutex_unlock (&proxy->lock);
}

/* Handles one request; returns FALSE to close the connection. */
static gboolean
handle (Proxy             *proxy,
        GSocketConnection *connection,
        GBytes            *request,
        Fault              fault)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GCancellable *c = proxy->cancellable;
  g_autoptr(GBytes) response = NULL;
  const double scale = proxy->time_scale;

  switch (fault)
    {
    case F_PASS:
      response = forward (proxy, request);
      if (response == NULL)
        return FALSE;
      write_all (out, g_bytes_get_data (response, NULL), g_bytes_get_size (response), c);
      return TRUE;

    case F_CLOSE_BEFORE:
      return FALSE;

    case F_CLOSE_AFTER:
      response = forward (proxy, request);
      return FALSE;

    case F_HANG_AFTER:
      response = forward (proxy, request);
      G_GNUC_FALLTHROUGH;
    case F_HANG_BEFORE:
      {
        gint64 limit_us;

        g_mutex_lock (&proxy->lock);
        limit_us = proxy->hang_limit_us;
        if (proxy->real_hangs > 0)
          {
            proxy->real_hangs--;
            limit_us = 0;
          }
        g_mutex_unlock (&proxy->lock);
        if (limit_us > 0)
          wait_for_close_within (connection, c, limit_us);
        else
          wait_for_close (in, c);
      }
      return FALSE;

    case F_500:
    case F_BURST:
      respond_error (out, c, 500, "Internal Server Error", "internal", NULL);
      return TRUE;

    case F_502:
      respond (out, c, 502, "Bad Gateway", "text/html", NULL, "<h1>502</h1>", 12);
      return TRUE;

    case F_503:
      respond_error (out, c, 503, "Service Unavailable", "unavailable", NULL);
      return TRUE;

    case F_503_RETRY:
      respond_error (out, c, 503, "Service Unavailable", "unavailable", "Retry-After: 1\r\n");
      expect_wait (proxy, (gint64) (1 * G_USEC_PER_SEC * scale));
      return TRUE;

    case F_429_SECONDS:
      {
        guint seconds;
        g_autofree char *header = NULL;

        g_mutex_lock (&proxy->lock);
        seconds = (guint) g_rand_int_range (proxy->rand, proxy->retry_min,
                                            proxy->retry_max + 1);
        g_mutex_unlock (&proxy->lock);
        header = g_strdup_printf ("Retry-After: %u\r\n", seconds);
        respond_error (out, c, 429, "Too Many Requests", "rate_limited", header);
        expect_wait (proxy, (gint64) (seconds * G_USEC_PER_SEC * scale));
      }
      return TRUE;

    case F_429_DATE:
      {
        g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
        g_autoptr(GDateTime) when = g_date_time_add_seconds (now, 3);
        g_autofree char *date = soup_date_time_to_string (when, SOUP_DATE_HTTP);
        g_autofree char *header = g_strdup_printf ("Retry-After: %s\r\n", date);
        gint64 target_us = g_date_time_to_unix (when) * G_USEC_PER_SEC;

        respond_error (out, c, 429, "Too Many Requests", "rate_limited", header);
        expect_wait (proxy, (gint64) ((target_us - g_get_real_time ()) * scale));
      }
      return TRUE;

    case F_429_GARBAGE:
      respond_error (out, c, 429, "Too Many Requests", "rate_limited", "Retry-After: soon\r\n");
      return TRUE;

    case F_429_HUGE:
      respond_error (out, c, 429, "Too Many Requests", "rate_limited",
                     "Retry-After: 99999999\r\n");
      expect_wait (proxy, (gint64) (3600.0 * G_USEC_PER_SEC * scale));
      return TRUE;

    case F_PORTAL_200:
      {
        static const char page[] = "<!DOCTYPE html><html><body><h1>Free Wi-Fi</h1>"
                                   "<p>Accept the terms to continue.</p></body></html>";

        respond (out, c, 200, "OK", "text/html; charset=utf-8", NULL, page, strlen (page));
      }
      return TRUE;

    case F_PORTAL_302:
      {
        static const char page[] = "<html><a href=\"http://portal.example/\">login</a></html>";

        respond (out, c, 302, "Found", "text/html",
                 "Location: http://portal.example/login\r\n", page, strlen (page));
      }
      return TRUE;

    case F_TRICKLE:
      {
        gsize size;
        const guint8 *data;

        response = forward (proxy, request);
        if (response == NULL)
          return FALSE;
        data = g_bytes_get_data (response, &size);
        for (gsize i = 0; i < MIN (3, size); i++)
          {
            if (!write_all (out, data + i, 1, c))
              return FALSE;
            g_output_stream_flush (out, c, NULL);
            /* One byte a (scaled) second, at least a millisecond apart. */
            g_usleep (MAX (1000, (gulong) (G_USEC_PER_SEC * scale)));
          }
        if (size > 3)
          write_all (out, data + 3, size - 3, c);
      }
      return TRUE;

    default:
      response = forward (proxy, request);
      if (response == NULL)
        return FALSE;
      rewrite_receipt (out, c, response, fault);
      return TRUE;
    }
}

/* The scripted answers of the chain-check and reveal tests; returns FALSE when the request
 * is left to handle(). */
static gboolean
handle_scripted (Proxy             *proxy,
                 GSocketConnection *connection,
                 GBytes            *request,
                 const char        *method,
                 const char        *path,
                 Fault              fault)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autofree char *chain_body = NULL;
  gboolean reveal_rejected;
  g_autoptr(GBytes) response = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *body = NULL;
  JsonObject *receipt;
  JsonArray *rejected;
  JsonObject *reveal;
  guint status;

  g_mutex_lock (&proxy->lock);
  chain_body = g_strdup (proxy->chain_body);
  reveal_rejected = proxy->reveal_rejected;
  g_mutex_unlock (&proxy->lock);

  if (chain_body != NULL && strcmp (method, "GET") == 0 &&
      g_str_has_prefix (path, "/v1/devices/") && g_str_has_suffix (path, "/chain"))
    {
      respond (out, proxy->cancellable, 200, "OK", "application/json", NULL, chain_body,
               strlen (chain_body));
      return TRUE;
    }

  if (!reveal_rejected || fault != F_PASS || strcmp (method, "POST") != 0 ||
      strcmp (path, "/v1/ballots") != 0)
    return FALSE;

  response = forward (proxy, request);
  g_assert_nonnull (response);
  root = response_json (response, &status);
  g_assert_cmpuint (status, ==, 201);
  receipt = json_object_get_object_member (json_node_get_object (root), "receipt");
  rejected = json_object_get_array_member (receipt, "rejected");
  reveal = json_object_get_object_member (receipt, "reveal");
  for (guint i = 0; i < json_array_get_length (rejected); i++)
    {
      JsonObject *r = json_array_get_object_element (rejected, i);
      JsonObject *names = json_object_new ();

      json_object_set_string_member (names, "model_a", "Injected Model A");
      json_object_set_string_member (names, "model_b", "Injected Model B");
      json_object_set_object_member (reveal, json_object_get_string_member (r, "ballot_id"),
                                     names);
    }
  body = json_to_string (root, FALSE);
  respond (out, proxy->cancellable, 201, "Created", "application/json", NULL, body,
           strlen (body));
  return TRUE;
}

static gpointer
connection_thread (gpointer user_data)
{
  ConnArgs *args = user_data;
  Proxy *proxy = args->proxy;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (args->connection));
  g_autoptr(GByteArray) pending = g_byte_array_new ();

  for (;;)
    {
      g_autoptr(GBytes) request = read_message (in, pending, FALSE, proxy->cancellable);
      g_autofree char *line = NULL;
      g_auto(GStrv) parts = NULL;
      const char *data;
      const char *eol;
      gsize size;
      Fault fault;
      gint64 now;

      if (request == NULL)
        break;

      data = g_bytes_get_data (request, &size);
      eol = g_strstr_len (data, size, "\r\n");
      line = g_strndup (data, eol - data);
      parts = g_strsplit (line, " ", 3);
      if (g_strv_length (parts) < 2)
        break;

      now = g_get_monotonic_time ();
      g_mutex_lock (&proxy->lock);
      proxy->requests++;
      if (strcmp (parts[0], "POST") == 0 && strcmp (parts[1], "/v1/ballots") == 0)
        proxy->posts++;
      if (proxy->wait_min_us > 0)
        {
          gint64 waited = now - proxy->wait_from_us;

          proxy->waits_checked++;
          /* 5 ms for the client's clock reading the HTTP-date after we did. */
          if (waited + 5000 < proxy->wait_min_us)
            {
              proxy->wait_violations++;
              g_string_append_printf (proxy->log, "came back after %" G_GINT64_FORMAT
                                      " us, must wait %" G_GINT64_FORMAT " us\n", waited,
                                      proxy->wait_min_us);
            }
          proxy->wait_min_us = 0;
        }
      fault = choose_fault (proxy, parts[0], parts[1]);
      proxy->by_fault[fault]++;
      g_mutex_unlock (&proxy->lock);

      if (handle_scripted (proxy, args->connection, request, parts[0], parts[1], fault))
        continue;
      if (!handle (proxy, args->connection, request, fault))
        break;
    }

  g_io_stream_close (G_IO_STREAM (args->connection), NULL, NULL);
  g_object_unref (args->connection);
  g_free (args);
  return NULL;
}

static gpointer
accept_thread (gpointer user_data)
{
  Proxy *proxy = user_data;

  for (;;)
    {
      GSocketConnection *connection = g_socket_listener_accept (proxy->listener, NULL,
                                                                proxy->cancellable, NULL);
      ConnArgs *args;
      GThread *thread;

      if (connection == NULL)
        break;

      args = g_new0 (ConnArgs, 1);
      args->proxy = proxy;
      args->connection = connection;
      thread = g_thread_new ("test-proxy-connection", connection_thread, args);
      g_mutex_lock (&proxy->lock);
      g_ptr_array_add (proxy->threads, thread);
      g_mutex_unlock (&proxy->lock);
    }

  return NULL;
}

static Proxy *
proxy_new (guint16 upstream_port,
           guint   seed,
           double  time_scale)
{
  Proxy *proxy = g_new0 (Proxy, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;

  g_mutex_init (&proxy->lock);
  g_queue_init (&proxy->forced);
  proxy->upstream_port = upstream_port;
  proxy->rand = g_rand_new_with_seed (seed);
  proxy->time_scale = time_scale;
  proxy->retry_min = 10;
  proxy->retry_max = 120;
  proxy->cancellable = g_cancellable_new ();
  proxy->threads = g_ptr_array_new ();
  proxy->log = g_string_new (NULL);
  proxy->listener = g_socket_listener_new ();
  g_socket_listener_add_address (proxy->listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  proxy->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  proxy->accept_thread = g_thread_new ("test-proxy-accept", accept_thread, proxy);
  return proxy;
}

static char *
proxy_url (Proxy *proxy)
{
  return g_strdup_printf ("http://127.0.0.1:%u/", proxy->port);
}

static void
proxy_force (Proxy *proxy,
             Fault  fault)
{
  g_mutex_lock (&proxy->lock);
  g_queue_push_tail (&proxy->forced, GUINT_TO_POINTER (fault + 1));
  g_mutex_unlock (&proxy->lock);
}

static void
proxy_free (Proxy *proxy)
{
  g_cancellable_cancel (proxy->cancellable);
  g_socket_listener_close (proxy->listener);
  g_thread_join (proxy->accept_thread);
  for (guint i = 0; i < proxy->threads->len; i++)
    g_thread_join (g_ptr_array_index (proxy->threads, i));
  g_ptr_array_unref (proxy->threads);
  g_object_unref (proxy->listener);
  g_object_unref (proxy->cancellable);
  g_rand_free (proxy->rand);
  g_queue_clear (&proxy->forced);
  g_string_free (proxy->log, TRUE);
  g_free (proxy->chain_body);
  g_mutex_clear (&proxy->lock);
  g_free (proxy);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Proxy, proxy_free)

static guint
proxy_posts (Proxy *proxy)
{
  guint posts;

  g_mutex_lock (&proxy->lock);
  posts = proxy->posts;
  g_mutex_unlock (&proxy->lock);
  return posts;
}

/* Pure helpers ----------------------------------------------------------------------- */

static void
test_server_url (void)
{
  static const struct
  {
    const char *url;
    int         code;   /* -1: accepted */
  } cases[] = {
    { "https://collector.example/", -1 },
    { "https://collector.example:8443/arena/", -1 },
    { "http://127.0.0.1:8787/", -1 },
    { "http://127.1.2.3/", -1 },
    { "http://localhost:8787/", -1 },
    { "http://LOCALHOST/", -1 },
    { "http://[::1]:8787/", -1 },
    { "http://192.0.2.1/", KA_SYNC_ERROR_INSECURE_URL },
    { "http://203.0.113.7:8787/", KA_SYNC_ERROR_INSECURE_URL },
    { "http://collector.example/", KA_SYNC_ERROR_INSECURE_URL },
    { "http://127.0.0.1.nip.io/", KA_SYNC_ERROR_INSECURE_URL },
    { "http://localhost.example.com/", KA_SYNC_ERROR_INSECURE_URL },
    { "http://[::2]/", KA_SYNC_ERROR_INSECURE_URL },
    { "http://0.0.0.0/", KA_SYNC_ERROR_INSECURE_URL },
    { "ftp://127.0.0.1/", KA_SYNC_ERROR_INVALID_URL },
    { "collector.example", KA_SYNC_ERROR_INVALID_URL },
    { "", KA_SYNC_ERROR_INVALID_URL },
    { "https://user:pw@collector.example/", KA_SYNC_ERROR_INVALID_URL },
    { "https://collector.example/?x=1", KA_SYNC_ERROR_INVALID_URL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = ka_sync_check_server_url (cases[i].url, &error);

      if (cases[i].code < 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_error (error, KA_SYNC_ERROR, cases[i].code);
          g_assert_false (ok);
        }
    }
}

static void
test_retry_after (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 11, 29, 12, 0, 0);
  static const struct
  {
    const char *value;
    gboolean    valid;
    gint64      delay_ms;
  } cases[] = {
    { "0", TRUE, 0 },
    { "1", TRUE, 1000 },
    { " 120 ", TRUE, 120000 },
    { "3600", TRUE, 3600000 },
    { "3601", TRUE, 3600000 },
    { "99999999", TRUE, 3600000 },
    { "99999999999999999999999999", TRUE, 3600000 },
    { "Sun, 29 Nov 2026 12:00:30 GMT", TRUE, 30000 },
    { "Sunday, 29-Nov-26 12:01:00 GMT", TRUE, 60000 },
    { "Sun Nov 29 12:00:05 2026", TRUE, 5000 },
    { "Sun, 29 Nov 2026 11:00:00 GMT", TRUE, 0 },        /* in the past */
    { "Mon, 30 Nov 2026 12:00:00 GMT", TRUE, 3600000 },  /* clamped */
    { "soon", FALSE, 0 },
    { "", FALSE, 0 },
    { "-5", FALSE, 0 },
    { "+5", FALSE, 0 },
    { "1.5", FALSE, 0 },
    { "5 seconds", FALSE, 0 },
    { "0x10", FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 delay = -7;
      gboolean ok = ka_sync_parse_retry_after (cases[i].value, now, &delay);

      if (ok != cases[i].valid)
        g_error ("Retry-After '%s': expected %s", cases[i].value,
                 cases[i].valid ? "valid" : "refused");
      if (ok)
        g_assert_cmpint (delay, ==, cases[i].delay_ms);
    }

  g_assert_false (ka_sync_parse_retry_after (NULL, now, &(gint64) { 0 }));
}

static void
test_backoff (void)
{
  g_autoptr(GRand) a = g_rand_new_with_seed (7);
  g_autoptr(GRand) b = g_rand_new_with_seed (7);
  double mean[12] = { 0, };
  const guint rounds = 2000;

  g_assert_cmpint (ka_sync_backoff_delay (a, 0, 1000, 300000), ==, 0);

  for (guint failures = 1; failures < G_N_ELEMENTS (mean); failures++)
    {
      gint64 ceiling = MIN (300000, (gint64) 1000 << (failures - 1));
      gint64 lowest = G_MAXINT64;
      gint64 highest = 0;

      for (guint r = 0; r < rounds; r++)
        {
          gint64 d = ka_sync_backoff_delay (a, failures, 1000, 300000);

          /* Same seed, same delays: the jitter is reproducible in tests. */
          g_assert_cmpint (d, ==, ka_sync_backoff_delay (b, failures, 1000, 300000));
          g_assert_cmpint (d, >=, 0);
          g_assert_cmpint (d, <, ceiling);
          lowest = MIN (lowest, d);
          highest = MAX (highest, d);
          mean[failures] += (double) d / rounds;
        }

      /* Full jitter: the whole interval is used. */
      g_assert_cmpint (lowest, <, ceiling / 10);
      g_assert_cmpint (highest, >, ceiling * 9 / 10);
      g_assert_cmpfloat (fabs (mean[failures] - ceiling / 2.0), <, ceiling * 0.05);
    }

  /* Doubling, then capped at 5 min. */
  g_assert_cmpfloat (mean[2], >, mean[1] * 1.7);
  g_assert_cmpfloat (mean[9], <, 140000);
  g_assert_cmpfloat (mean[10], >, 140000);
  g_assert_cmpfloat (mean[11], <, 160000);
}

/* The store functions added for the outbox ------------------------------------------ */

static void
test_store_outbox (void)
{
  g_autofree char *dir = ka_test_make_tmp_dir ("ka-test-sync-XXXXXX");
  g_autoptr(KaStore) store = open_store (dir, "store.sqlite3");
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KaBallot) third = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  const char *device = ka_store_get_device_id (store);
  KaOutboxCounts counts;
  KaDeliverySettlement settle[3];
  guint ignored = 99;
  KaBallot *ballot;

  counts = counts_of (store);
  g_assert_cmpint (counts.pending + counts.delivered + counts.rejected + counts.last_seq, ==, 0);
  g_assert_cmpint (counts.first_rejected_seq, ==, 0);

  cast (store, 6);
  all = ka_store_list_ballots (store, NULL, &error);
  g_assert_no_error (error);

  counts = counts_of (store);
  g_assert_cmpint (counts.pending, ==, 6);
  g_assert_cmpint (counts.last_seq, ==, 6);

  third = ka_store_get_ballot_by_seq (store, device, 3, &error);
  g_assert_no_error (error);
  g_assert_true (ka_ballot_equal (third, g_ptr_array_index (all, 2)));
  g_assert_null (ka_store_get_ballot_by_seq (store, device, 7, &error));
  g_assert_no_error (error);
  g_assert_null (ka_store_get_ballot_by_seq (store, "another-device", 3, &error));
  g_assert_no_error (error);

  /* One transaction for a receipt: all or nothing. */
  for (guint i = 0; i < 3; i++)
    {
      ballot = g_ptr_array_index (all, i);
      settle[i] = (KaDeliverySettlement) { ballot->ballot_id, KA_DELIVERY_DELIVERED,
                                           "{\"outcome\":\"accepted\"}", "Left", "Right" };
    }
  settle[2].ballot_id = "no-such-ballot";
  g_assert_false (ka_store_settle_deliveries (store, settle, 3, NULL, &error));
  g_assert_error (error, KA_STORE_ERROR, KA_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (counts_of (store).pending, ==, 6);

  settle[2].ballot_id = ((KaBallot *) g_ptr_array_index (all, 2))->ballot_id;
  settle[2].state = KA_DELIVERY_REJECTED;
  settle[2].reveal_model_a = settle[2].reveal_model_b = NULL;
  g_assert_true (ka_store_settle_deliveries (store, settle, 3, &ignored, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ignored, ==, 0);
  counts = counts_of (store);
  g_assert_cmpint (counts.pending, ==, 3);
  g_assert_cmpint (counts.delivered, ==, 2);
  g_assert_cmpint (counts.rejected, ==, 1);
  g_assert_cmpint (counts.first_rejected_seq, ==, 3);

  g_assert_true (ka_store_get_reveal (store, settle[0].ballot_id, &a, &b, &error));
  g_assert_cmpstr (a, ==, "Left");
  g_assert_cmpstr (b, ==, "Right");
  g_clear_pointer (&a, g_free);
  g_clear_pointer (&b, g_free);
  g_assert_true (ka_store_get_reveal (store, settle[2].ballot_id, &a, &b, &error));
  g_assert_null (a);
  g_assert_null (b);
  g_assert_false (ka_store_get_reveal (store, "no-such-ballot", NULL, NULL, &error));
  g_assert_error (error, KA_STORE_ERROR, KA_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Delivered stays delivered: a later "rejected" for it is ignored, not applied. */
  settle[0].state = KA_DELIVERY_REJECTED;
  g_assert_true (ka_store_settle_deliveries (store, settle, 1, &ignored, &error));
  g_assert_cmpuint (ignored, ==, 1);
  g_assert_cmpint (ka_store_get_delivery_state (store, settle[0].ballot_id, &error), ==,
                   KA_DELIVERY_DELIVERED);
  settle[0].state = KA_DELIVERY_PENDING;
  g_assert_false (ka_store_settle_deliveries (store, settle, 1, NULL, &error));
  g_assert_error (error, KA_STORE_ERROR, KA_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Requeue: only delivered ballots beyond the given seq, only of that device. */
  ballot = g_ptr_array_index (all, 4);
  settle[0] = (KaDeliverySettlement) { ballot->ballot_id, KA_DELIVERY_DELIVERED, "{}",
                                       NULL, NULL };
  g_assert_true (ka_store_settle_deliveries (store, settle, 1, NULL, &error));
  g_assert_cmpint (counts_of (store).delivered, ==, 3);
  g_assert_cmpint (ka_store_requeue_delivered (store, "another-device", 0, &error), ==, 0);
  g_assert_cmpint (ka_store_requeue_delivered (store, device, 1, &error), ==, 2);
  g_assert_no_error (error);
  counts = counts_of (store);
  g_assert_cmpint (counts.delivered, ==, 1);
  g_assert_cmpint (counts.pending, ==, 4);
  g_assert_cmpint (counts.rejected, ==, 1);
  g_assert_cmpint (ka_store_get_delivery_state (store, settle[0].ballot_id, &error), ==,
                   KA_DELIVERY_PENDING);
  /* The names a receipt revealed stay: they are still true. */
  g_assert_true (ka_store_get_reveal (store, ((KaBallot *) g_ptr_array_index (all, 1))->ballot_id,
                                      &a, NULL, &error));
  g_assert_cmpstr (a, ==, "Left");

  g_clear_object (&store);
  ka_test_remove_tree (dir);
}

/* Basic delivery ----------------------------------------------------------------------- */

typedef struct
{
  GPtrArray *messages;
} LogCapture;

static LogCapture log_capture;

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  if (log_capture.messages != NULL)
    {
      for (gsize i = 0; i < n_fields; i++)
        {
          if (strcmp (fields[i].key, "MESSAGE") == 0)
            g_ptr_array_add (log_capture.messages, g_strdup (fields[i].value));
        }
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
count_settled_cb (KaSync  *sync,
                  GStrv    delivered,
                  GStrv    rejected,
                  guint   *n)
{
  *n += g_strv_length (delivered);
}

static void
pack_updated_cb (KaSync     *sync,
                 GBytes     *pack,
                 const char *etag,
                 guint      *n)
{
  (*n)++;
}

static void
test_basic (void)
{
  g_autofree char *dir = ka_test_make_tmp_dir ("ka-test-sync-XXXXXX");
  g_autoptr(KaStore) store = open_store (dir, "arena.sqlite3");
  g_autoptr(Collector) collector = NULL;
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(KaSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ballots = NULL;
  g_autoptr(KaPack) pack = NULL;
  g_autofree char *url = NULL;
  g_autofree char *token_path = NULL;
  g_autofree char *token = NULL;
  g_autofree char *pack_path = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *saved = NULL;
  const KaSyncReport *report;
  const guint n = 1234;
  guint settled = 0;
  guint packs = 0;
  guint posts;
  GStatBuf st;

  log_capture.messages = g_ptr_array_new_with_free_func (g_free);

  /* Votes cast offline, before any collector exists. */
  cast (store, n);
  sync = make_sync (store, "http://127.0.0.1:9/", 10, 500);
  g_assert_cmpuint (ka_sync_get_pending (sync), ==, n);
  g_assert_false (ka_sync_is_enrolled (sync));

  collector = collector_start (dir);
  proxy = proxy_new (collector->port, test_seed (), 1.0);
  url = proxy_url (proxy);
  ka_sync_set_server_url (sync, url);
  g_signal_connect (sync, "ballots-settled", G_CALLBACK (count_settled_cb), &settled);
  g_signal_connect (sync, "pack-updated", G_CALLBACK (pack_updated_cb), &packs);

  g_assert_true (ka_test_sync_run (sync, &error));
  g_assert_no_error (error);

  assert_collector_holds_exactly (collector, store);
  report = ka_sync_get_last_report (sync);
  g_assert_true (report->enrolled);
  g_assert_cmpuint (report->accepted, ==, n);
  g_assert_cmpuint (report->duplicate, ==, 0);
  g_assert_cmpuint (report->sent, ==, n);
  g_assert_cmpuint (report->batches, ==, 3);     /* 500 + 500 + 234 */
  g_assert_cmpint (report->pending, ==, 0);
  g_assert_cmpint (report->server_count, ==, n);
  g_assert_cmpuint (proxy_posts (proxy), ==, 3);
  g_assert_cmpuint (ka_sync_get_pending (sync), ==, 0);
  g_assert_cmpuint (ka_sync_get_delivered (sync), ==, n);
  g_assert_cmpint (ka_sync_get_state (sync), ==, KA_SYNC_STATE_IDLE);
  g_assert_cmpint (ka_sync_get_last_sync (sync), >, 0);
  g_assert_null (ka_sync_get_last_error (sync));
  g_assert_true (ka_sync_is_enrolled (sync));
  g_assert_cmpuint (settled, ==, n);

  /* Names revealed by the receipts, kept with each ballot. */
  ballots = ka_store_list_ballots (store, NULL, &error);
  for (guint i = 0; i < ballots->len; i += 97)
    {
      KaBallot *b = g_ptr_array_index (ballots, i);
      g_autofree char *model_a = NULL;
      g_autofree char *model_b = NULL;

      g_assert_true (ka_store_get_reveal (store, b->ballot_id, &model_a, &model_b, &error));
      g_assert_cmpstr (model_a, ==, display_name_of (b->response_a));
      g_assert_cmpstr (model_b, ==, display_name_of (b->response_b));
    }

  /* The token: 0600, next to the store, never logged. */
  token_path = ka_sync_get_token_path (sync);
  g_assert_true (g_str_has_prefix (token_path, dir));
  g_assert_cmpint (g_stat (token_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_file_get_contents (token_path, &token, NULL, &error);
  g_assert_no_error (error);
  g_strstrip (token);
  g_assert_cmpuint (strlen (token), ==, 64);
  for (guint i = 0; i < log_capture.messages->len; i++)
    g_assert_null (strstr (g_ptr_array_index (log_capture.messages, i), token));
  g_assert_cmpuint (log_capture.messages->len, >, 0);   /* the capture works */

  /* The sealed pack came down, matches its ETag, is saved; a citizen never gets names. */
  g_assert_cmpuint (packs, ==, 1);
  g_assert_nonnull (report->pack);
  pack = ka_pack_new_from_bytes (report->pack, &error);
  g_assert_no_error (error);
  g_assert_true (ka_pack_is_sealed (pack));
  etag = g_strdup_printf ("\"%s\"", ka_pack_get_content_hash (pack));
  g_assert_cmpstr (report->pack_etag, ==, etag);
  pack_path = ka_sync_get_pack_path (sync);
  g_file_get_contents (pack_path, &saved, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (saved, strlen (saved), g_bytes_get_data (report->pack, NULL),
                   g_bytes_get_size (report->pack));

  /* A second sync sends no ballot, and the pack is not modified (304). */
  posts = proxy_posts (proxy);
  g_assert_true (ka_test_sync_run (sync, &error));
  g_assert_no_error (error);
  report = ka_sync_get_last_report (sync);
  g_assert_cmpuint (proxy_posts (proxy), ==, posts);
  g_assert_cmpuint (report->sent, ==, 0);
  g_assert_false (report->enrolled);
  g_assert_null (report->pack);
  g_assert_cmpuint (packs, ==, 1);
  assert_collector_holds_exactly (collector, store);

  /* A new vote: exactly one ballot goes. */
  cast (store, 1);
  ka_sync_refresh_counts (sync);
  g_assert_cmpuint (ka_sync_get_pending (sync), ==, 1);
  g_assert_true (ka_test_sync_run (sync, &error));
  g_assert_cmpuint (proxy_posts (proxy), ==, posts + 1);
  g_assert_cmpuint (ka_sync_get_last_report (sync)->accepted, ==, 1);
  assert_collector_holds_exactly (collector, store);

  /* Without the saved pack, the ETag is not sent and the pack comes again. */
  g_unlink (pack_path);
  g_assert_true (ka_test_sync_run (sync, &error));
  g_assert_nonnull (ka_sync_get_last_report (sync)->pack);
  g_assert_cmpuint (packs, ==, 2);

  g_clear_pointer (&log_capture.messages, g_ptr_array_unref);
  g_assert_finalize_object (g_steal_pointer (&sync));
  g_clear_pointer (&proxy, proxy_free);
  g_clear_pointer (&collector, collector_free);
  g_assert_finalize_object (g_steal_pointer (&store));
  ka_test_remove_tree (dir);
}

/* Plain HTTP to a non-loopback host: refused before any connection. */
static void
test_insecure (void)
{
  static const char * const urls[] = {
    "http://192.0.2.1/", "http://203.0.113.9:8787/", "http://collector.example/",
  };
  g_autofree char *dir = ka_test_make_tmp_dir ("ka-test-sync-XXXXXX");
  g_autoptr(KaStore) store = open_store (dir, "arena.sqlite3");

  cast (store, 3);
  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(KaSync) sync = make_sync (store, urls[i], 30, 500);
      g_autoptr(GError) error = NULL;
      g_autofree char *token_path = ka_sync_get_token_path (sync);
      const KaSyncReport *report;

      g_assert_false (ka_test_sync_run (sync, &error));
      g_assert_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_INSECURE_URL);
      g_clear_error (&error);
      report = ka_sync_get_last_report (sync);
      g_assert_cmpuint (report->requests, ==, 0);
      g_assert_false (report->enrolled);
      g_assert_false (g_file_test (token_path, G_FILE_TEST_EXISTS));
      g_assert_cmpint (ka_sync_get_state (sync), ==, KA_SYNC_STATE_NOT_ENROLLED);
      g_assert_nonnull (ka_sync_get_last_error (sync));

      /* An explicit enrolment is refused the same way. */
      g_assert_false (ka_test_sync_enrol (sync, KA_MODE_KIOSK, ENROLMENT_CODE, &error));
      g_assert_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_INSECURE_URL);
      g_assert_cmpuint (ka_sync_get_last_report (sync)->requests, ==, 0);
    }

  g_assert_cmpint (counts_of (store).pending, ==, 3);
  g_clear_object (&store);
  ka_test_remove_tree (dir);
}

/* Kiosk enrolment, an unknown token (401), a lost token (409), the open pack. */
static void
test_enrolment (void)
{
  g_autofree char *dir = ka_test_make_tmp_dir ("ka-test-sync-XXXXXX");
  g_autoptr(KaStore) store = open_store (dir, "kiosk.sqlite3");
  g_autoptr(Collector) collector = collector_start_full (dir, FALSE, TRUE);
  g_autoptr(KaSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KaPack) pack = NULL;
  g_autofree char *token_path = NULL;
  g_autofree char *token = NULL;

  cast (store, 40);
  sync = make_sync (store, collector->proc.url, 10, 500);
  g_object_set (sync, "auto-enrol", FALSE, NULL);
  g_assert_cmpint (ka_sync_get_state (sync), ==, KA_SYNC_STATE_NOT_ENROLLED);
  token_path = ka_sync_get_token_path (sync);

  /* A kiosk does not enrol itself as a citizen. */
  g_assert_false (ka_test_sync_run (sync, &error));
  g_assert_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_NOT_ENROLLED);
  g_clear_error (&error);
  g_assert_cmpuint (ka_sync_get_last_report (sync)->requests, ==, 0);

  g_assert_false (ka_test_sync_enrol (sync, KA_MODE_KIOSK, "wrong-code", &error));
  g_assert_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_ENROLMENT_REFUSED);
  g_clear_error (&error);
  g_assert_false (g_file_test (token_path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (ka_sync_get_state (sync), ==, KA_SYNC_STATE_NOT_ENROLLED);

  g_assert_true (ka_test_sync_enrol (sync, KA_MODE_KIOSK, ENROLMENT_CODE, &error));
  g_assert_no_error (error);
  g_assert_true (ka_sync_is_enrolled (sync));
  g_assert_cmpint (ka_sync_get_state (sync), ==, KA_SYNC_STATE_IDLE);

  g_assert_true (ka_test_sync_run (sync, &error));
  g_assert_no_error (error);
  assert_collector_holds_exactly (collector, store);
  /* An enrolled kiosk gets the open pack. */
  pack = ka_pack_new_from_bytes (ka_sync_get_last_report (sync)->pack, &error);
  g_assert_no_error (error);
  g_assert_false (ka_pack_is_sealed (pack));

  /* A token the collector does not know: 401 → not enrolled; nothing is lost. */
  g_file_get_contents (token_path, &token, NULL, &error);
  g_assert_no_error (error);
  g_file_set_contents (token_path, "0123456789abcdef0123456789abcdef"
                                   "0123456789abcdef0123456789abcdef\n", -1, &error);
  g_assert_no_error (error);
  cast (store, 5);
  g_assert_false (ka_test_sync_run (sync, &error));
  g_assert_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_NOT_ENROLLED);
  g_clear_error (&error);
  g_assert_cmpint (ka_sync_get_state (sync), ==, KA_SYNC_STATE_NOT_ENROLLED);
  g_assert_cmpint (counts_of (store).pending, ==, 5);

  /* Enrolling again with the same device ID is refused (409): the device needs the
   * organisers; its ballots stay pending. */
  g_assert_false (ka_test_sync_enrol (sync, KA_MODE_KIOSK, ENROLMENT_CODE, &error));
  g_assert_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_DEVICE_EXISTS);
  g_clear_error (&error);

  /* With its real token back, the device syncs again. */
  g_file_set_contents (token_path, token, -1, &error);
  g_assert_no_error (error);
  g_assert_true (ka_test_sync_run (sync, &error));
  g_assert_no_error (error);
  assert_collector_holds_exactly (collector, store);

  g_clear_object (&sync);
  g_clear_pointer (&collector, collector_free);
  g_clear_object (&store);
  ka_test_remove_tree (dir);
}

/* Raw SQLite, to tamper with a stored ballot behind the store's back. */
static void
tamper (const char *path,
        gint64      seq)
{
  sqlite3 *db = NULL;
  g_autofree char *sql = g_strdup_printf ("UPDATE ballots SET decision_ms = decision_ms + 1 "
                                          "WHERE seq = %" G_GINT64_FORMAT, seq);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* A ballot the collector rejects is quarantined and does not block the run. */
static void
test_rejected (void)
{
  g_autofree char *dir = ka_test_make_tmp_dir ("ka-test-sync-XXXXXX");
  g_autoptr(KaStore) store = open_store (dir, "arena.sqlite3");
  g_autoptr(Collector) collector = collector_start (dir);
  g_autoptr(KaSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) remote = NULL;
  g_autoptr(GHashTable) codes = g_hash_table_new (g_str_hash, g_str_equal);
  const KaSyncReport *report;
  KaOutboxCounts counts;

  cast (store, 50);
  sync = make_sync (store, collector->proc.url, 10, 20);
  g_assert_true (ka_test_sync_run (sync, &error));
  g_assert_no_error (error);

  /* Ballot 61 altered after it was sealed: bad_hash; 62-80 cannot link to the collector's
   * chain after it (chain_break); 51-60 are delivered. */
  cast (store, 30);
  tamper (ka_store_get_path (store), 61);
  g_assert_true (ka_test_sync_run (sync, &error));
  g_assert_no_error (error);
  report = ka_sync_get_last_report (sync);
  g_assert_cmpuint (report->accepted, ==, 10);
  g_assert_cmpuint (report->rejected, ==, 20);
  g_assert_cmpuint (report->rejections->len, ==, 20);
  for (guint i = 0; i < report->rejections->len; i++)
    {
      KaSyncRejection *r = g_ptr_array_index (report->rejections, i);
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (codes, r->code));

      g_hash_table_insert (codes, r->code, GUINT_TO_POINTER (count + 1));
      g_assert_cmpuint (strlen (r->message), >, 0);
    }
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (codes, "bad_hash")), ==, 1);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (codes, "chain_break")), ==, 19);

  counts = counts_of (store);
  g_assert_cmpint (counts.delivered, ==, 60);
  g_assert_cmpint (counts.rejected, ==, 20);
  g_assert_cmpint (counts.pending, ==, 0);
  g_assert_cmpint (counts.first_rejected_seq, ==, 61);
  g_assert_cmpuint (ka_sync_get_rejected (sync), ==, 20);
  g_assert_cmpint (ka_sync_get_state (sync), ==, KA_SYNC_STATE_IDLE);

  remote = collector_export (collector);
  g_assert_cmpuint (remote->len, ==, 60);

  /* Quarantined ballots are never resent automatically. */
  g_assert_true (ka_test_sync_run (sync, &error));
  g_assert_cmpuint (ka_sync_get_last_report (sync)->sent, ==, 0);

  g_clear_object (&sync);
  g_clear_pointer (&collector, collector_free);
  g_clear_object (&store);
  ka_test_remove_tree (dir);
}

/* Malformed receipts: the collector committed, the answer is broken: nothing is marked
 * delivered; the next clean sync settles everything as duplicates. */
static void
test_malformed (void)
{
  static const Fault faults[] = {
    F_TRUNCATED, F_WRONG_TYPES, F_NO_RECEIPT, F_HUGE_BODY, F_EXTRA_ID, F_MISSING_ID,
    F_TWICE_ID, F_BAD_HEAD, F_TEXT_PLAIN, F_STATUS_200, F_PORTAL_200, F_PORTAL_302,
  };
  g_autofree char *dir = ka_test_make_tmp_dir ("ka-test-sync-XXXXXX");
  g_autoptr(KaStore) store = open_store (dir, "arena.sqlite3");
  g_autoptr(Collector) collector = collector_start (dir);
  g_autoptr(Proxy) proxy = proxy_new (collector->port, test_seed (), 1.0);
  g_autofree char *url = proxy_url (proxy);
  g_autoptr(KaSync) sync = make_sync (store, url, 10, 500);
  g_autoptr(GError) error = NULL;
  guint cast_so_far = 0;

  g_assert_true (ka_test_sync_enrol (sync, KA_MODE_CITIZEN, NULL, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      g_autoptr(GPtrArray) remote = NULL;
      KaOutboxCounts counts;

      cast (store, 25);
      cast_so_far += 25;
      proxy_force (proxy, faults[i]);
      g_assert_false (ka_test_sync_run (sync, &error));
      if (!g_error_matches (error, KA_SYNC_ERROR, KA_SYNC_ERROR_BAD_RESPONSE))
        g_error ("fault %s: expected a bad-response error, got %s", fault_names[faults[i]],
                 error->message);
      g_clear_error (&error);
      g_assert_cmpint (ka_sync_get_state (sync), ==, KA_SYNC_STATE_ERROR);

      counts = counts_of (store);
      g_assert_cmpint (counts.pending, ==, 25);
      g_assert_cmpint (counts.delivered, ==, cast_so_far - 25);

      /* Rewrites happened after the collector committed; the portals never forwarded. */
      remote = collector_export (collector);
      g_assert_cmpuint (remote->len, ==, faults[i] >= FIRST_REWRITE ? cast_so_far
                                                                     : cast_so_far - 25);

      g_assert_true (ka_test_sync_run (sync, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (ka_sync_get_last_report (sync)->duplicate, ==,
                        faults[i] >= FIRST_REWRITE ? 25 : 0);
      assert_collector_holds_exactly (collector, store);
    }

  g_clear_object (&sync);
  g_clear_pointer (&proxy, proxy_free);
  g_clear_pointer (&collector, collector_free);
  g_clear_object (&store);
  ka_test_remove_tree (dir);
}

/* Retry-After is honoured (scaled), clamped, and garbage falls back to the backoff. */
static void
test_retry_after_wait (void)
{
  g_autofree char *dir = ka_test_make_tmp_dir ("ka-test-sync-XXXXXX");
  g_autoptr(KaStore) store = open_store (dir, "arena.sqlite3");
  g_autoptr(Collector) collector = collector_start (dir);
  const double scale = 0.25;
  g_autoptr(Proxy) proxy = proxy_new (collector->port, test_seed (), scale);
  g_autofree char *url = proxy_url (proxy);
  g_autoptr(KaTestMonitor) monitor = g_object_new (KA_TYPE_TEST_MONITOR, NULL);
  g_autoptr(KaSync) sync = NULL;
  g_autoptr(GError) error = NULL;

  sync = g_object_new (KA_TYPE_SYNC, "store", store, "server-url", url, "timeout", 10,
                       "network-monitor", monitor, "time-scale", scale,
                       "jitter-seed", test_seed (), NULL);
  g_assert_true (ka_test_sync_enrol (sync, KA_MODE_CITIZEN, NULL, &error));
  cast (store, 10);
  ka_sync_refresh_counts (sync);
  g_assert_cmpuint (ka_sync_get_pending (sync), ==, 10);

  /* 429 with Retry-After: 4 → the client waits 4 s × 0.25 before it comes back. */
  g_mutex_lock (&proxy->lock);
  proxy->retry_min = proxy->retry_max = 4;
  g_mutex_unlock (&proxy->lock);
  proxy_force (proxy, F_429_SECONDS);
  ka_sync_start (sync);
  while (ka_sync_get_pending (sync) > 0)
    g_main_context_iteration (NULL, TRUE);
  ka_sync_stop (sync);
  g_assert_cmpuint (proxy->waits_checked, ==, 1);
  g_assert_cmpuint (proxy->by_fault[F_429_SECONDS], ==, 1);
  if (proxy->wait_violations > 0)
    g_error ("the client did not honour Retry-After: %s", proxy->log->str);
  assert_collector_holds_exactly (collector, store);

  /* The delays the client derived, straight from its report. */
  cast (store, 1);
  proxy_force (proxy, F_429_HUGE);
  g_assert_false (ka_test_sync_run (sync, &error));
  g_assert_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_RATE_LIMITED);
  g_clear_error (&error);
  g_assert_cmpint (ka_sync_get_last_report (sync)->retry_after_ms, ==, 3600 * 1000 * scale);

  proxy_force (proxy, F_429_GARBAGE);
  g_assert_false (ka_test_sync_run (sync, &error));
  g_assert_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_RATE_LIMITED);
  g_clear_error (&error);
  g_assert_cmpint (ka_sync_get_last_report (sync)->retry_after_ms, ==, -1);

  proxy_force (proxy, F_503_RETRY);
  g_assert_false (ka_test_sync_run (sync, &error));
  g_assert_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_SERVER);
  g_clear_error (&error);
  g_assert_cmpint (ka_sync_get_last_report (sync)->retry_after_ms, ==, 1000 * scale);

  g_assert_true (ka_test_sync_run (sync, &error));
  assert_collector_holds_exactly (collector, store);

  g_clear_object (&sync);
  g_clear_pointer (&proxy, proxy_free);
  g_clear_pointer (&collector, collector_free);
  g_clear_object (&store);
  ka_test_remove_tree (dir);
}

/* The seeded mix of network faults over thousands of ballots. ---------------------- */

static void
test_faults (void)
{
  g_autofree char *dir = ka_test_make_tmp_dir ("ka-test-sync-XXXXXX");
  g_autoptr(KaStore) store = open_store (dir, "arena.sqlite3");
  g_autoptr(Collector) collector = collector_start (dir);
  const double scale = 0.0005;
  g_autoptr(Proxy) proxy = proxy_new (collector->port, test_seed (), scale);
  g_autofree char *url = proxy_url (proxy);
  g_autoptr(KaTestMonitor) monitor = g_object_new (KA_TYPE_TEST_MONITOR, NULL);
  g_autoptr(KaSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  const guint n = MAX (5000, env_uint ("KA_SYNC_FAULT_BALLOTS", 5000));
  gint64 deadline;
  guint duplicates = 0;
  guint runs = 0;

  g_test_message ("fault mix seed %u (KA_TEST_SEED), %u ballots", test_seed (), n);
  cast (store, n);

  sync = g_object_new (KA_TYPE_SYNC, "store", store, "server-url", url,
                       "timeout", 1,                /* a real hang costs 1 s */
                       "batch-size", 100, "network-monitor", monitor,
                       "time-scale", scale, "jitter-seed", test_seed (), NULL);
  /* The first two hangs make the client's own timeout fire; the proxy cuts later ones
   * short (a closed connection after a scaled 2 s), as it scales every other wait. */
  g_mutex_lock (&proxy->lock);
  proxy->real_hangs = 2;
  proxy->hang_limit_us = MAX (1000, (gint64) (2 * G_USEC_PER_SEC * scale));
  g_mutex_unlock (&proxy->lock);
  g_assert_true (ka_test_sync_enrol (sync, KA_MODE_CITIZEN, NULL, &error));
  g_assert_no_error (error);

  /* Every fault once first (on uploads), then the seeded random mix on every request. */
  for (guint f = F_CLOSE_BEFORE; f < N_FAULTS; f++)
    proxy_force (proxy, (Fault) f);
  g_mutex_lock (&proxy->lock);
  proxy->weights = mix_weights;
  g_mutex_unlock (&proxy->lock);

  ka_sync_start (sync);
  deadline = g_get_monotonic_time () + 300 * G_USEC_PER_SEC;
  while (ka_sync_get_pending (sync) > 0 || ka_sync_get_state (sync) != KA_SYNC_STATE_IDLE)
    {
      KaSyncState before = ka_sync_get_state (sync);

      g_main_context_iteration (NULL, TRUE);
      if (before == KA_SYNC_STATE_SYNCING && ka_sync_get_state (sync) != KA_SYNC_STATE_SYNCING)
        {
          const KaSyncReport *report = ka_sync_get_last_report (sync);

          runs++;
          duplicates += report->duplicate;
        }
      if (g_get_monotonic_time () > deadline)
        g_error ("the faults test did not finish in time: %u pending, last error %s",
                 ka_sync_get_pending (sync), ka_sync_get_last_error (sync));
    }
  ka_sync_stop (sync);

  g_mutex_lock (&proxy->lock);
  g_test_message ("%u requests (%u uploads) in %u runs; %u ballots came back as duplicates; "
                  "%u Retry-After waits checked", proxy->requests, proxy->posts, runs,
                  duplicates, proxy->waits_checked);
  for (guint f = 0; f < N_FAULTS; f++)
    {
      g_test_message ("  %-18s %u", fault_names[f], proxy->by_fault[f]);
      /* The mix really contained every fault. */
      g_assert_cmpuint (proxy->by_fault[f], >, 0);
    }
  if (proxy->wait_violations > 0)
    g_error ("the client came back before Retry-After:\n%s", proxy->log->str);
  g_assert_cmpuint (proxy->waits_checked, >=, 4);
  g_mutex_unlock (&proxy->lock);

  /* Faults after the collector committed made the client resend: duplicates, never
   * twice stored. */
  g_assert_cmpuint (duplicates, >, 0);
  assert_collector_holds_exactly (collector, store);
  g_assert_null (ka_sync_get_last_error (sync));

  g_clear_object (&sync);
  g_clear_pointer (&proxy, proxy_free);
  g_clear_pointer (&collector, collector_free);
  g_clear_object (&store);
  ka_test_remove_tree (dir);
}

/* Two clients racing the same batches: two copies of one store, one device. -------- */

static void
copy_file (const char *from,
           const char *to)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize size;

  g_file_get_contents (from, &contents, &size, &error);
  g_assert_no_error (error);
  g_file_set_contents (to, contents, (gssize) size, &error);
  g_assert_no_error (error);
}

static void
test_race (void)
{
  g_autofree char *dir = ka_test_make_tmp_dir ("ka-test-sync-XXXXXX");
  g_autoptr(Collector) collector = collector_start (dir);
  g_autoptr(KaStore) first = open_store (dir, "first.sqlite3");
  g_autoptr(KaStore) second = NULL;
  g_autoptr(KaSync) a = NULL;
  g_autoptr(KaSync) b = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first_path = g_strdup (ka_store_get_path (first));
  g_autofree char *second_path = g_build_filename (dir, "second.sqlite3", NULL);
  g_autofree char *first_token = NULL;
  g_autofree char *second_token = g_strconcat (second_path, ".token", NULL);
  const guint n = 3000;
  KaTestResult ra = { FALSE, };
  KaTestResult rb = { FALSE, };
  const KaSyncReport *report_a;
  const KaSyncReport *report_b;

  cast (first, n);
  a = make_sync (first, collector->proc.url, 30, 100);
  g_assert_true (ka_test_sync_enrol (a, KA_MODE_CITIZEN, NULL, &error));
  g_assert_no_error (error);
  first_token = ka_sync_get_token_path (a);

  /* Close (the WAL is checkpointed), copy the database and the token. */
  g_clear_object (&a);
  g_assert_finalize_object (g_steal_pointer (&first));
  copy_file (first_path, second_path);
  copy_file (first_token, second_token);
  first = open_store (dir, "first.sqlite3");
  second = open_store (dir, "second.sqlite3");
  g_assert_cmpstr (ka_store_get_device_id (first), ==, ka_store_get_device_id (second));

  a = make_sync (first, collector->proc.url, 30, 100);
  b = make_sync (second, collector->proc.url, 30, 100);
  ka_sync_run_async (a, NULL, ka_test_sync_run_cb, &ra);
  ka_sync_run_async (b, NULL, ka_test_sync_run_cb, &rb);
  while (!ra.done || !rb.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (ra.error);
  g_assert_no_error (rb.error);

  report_a = ka_sync_get_last_report (a);
  report_b = ka_sync_get_last_report (b);
  g_test_message ("client A: %u accepted, %u duplicate; client B: %u accepted, %u duplicate",
                  report_a->accepted, report_a->duplicate, report_b->accepted,
                  report_b->duplicate);
  g_assert_cmpuint (report_a->accepted + report_a->duplicate, ==, n);
  g_assert_cmpuint (report_b->accepted + report_b->duplicate, ==, n);
  g_assert_cmpuint (report_a->accepted + report_b->accepted, ==, n);
  assert_collector_holds_exactly (collector, first);
  assert_collector_holds_exactly (collector, second);

  g_clear_object (&a);
  g_clear_object (&b);
  g_clear_pointer (&collector, collector_free);
  g_clear_object (&first);
  g_clear_object (&second);
  ka_test_remove_tree (dir);
}

/* SIGKILL during sync --------------------------------------------------------------- */

static int
sync_child_main (const char *database,
                 const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = ka_store_open (database, &error);
  g_autoptr(KaSync) sync = NULL;

  if (store == NULL)
    {
      g_printerr ("child: %s\n", error->message);
      return 1;
    }
  sync = g_object_new (KA_TYPE_SYNC, "store", store, "server-url", url, "timeout", 10,
                       "batch-size", 10, "fetch-pack", FALSE, NULL);
  g_print ("ready\n");
  fflush (stdout);
  if (!ka_test_sync_run (sync, &error))
    {
      g_printerr ("child: %s\n", error->message);
      return 1;
    }
  return 0;
}

static GSubprocess *
spawn_child (const char        *database,
             const char        *url,
             GDataInputStream **out)
{
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  GSubprocess *child;

  g_assert_nonnull (self_exe);
  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, self_exe, "--sync-child",
                            database, url, NULL);
  g_assert_no_error (error);
  *out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  line = g_data_input_stream_read_line_utf8 (*out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "ready");
  return child;
}

/* Everything the store marks delivered is on the collector; the collector holds nothing
 * twice and nothing the store does not hold. */
static void
assert_delivered_subset (Collector *collector,
                         KaStore   *store)
{
  g_autoptr(GPtrArray) remote = collector_export (collector);
  g_autoptr(GPtrArray) local = NULL;
  g_autoptr(GHashTable) on_collector = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) in_store = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;

  local = ka_store_list_ballots (store, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < local->len; i++)
    g_hash_table_add (in_store, ((KaBallot *) g_ptr_array_index (local, i))->ballot_id);
  for (guint i = 0; i < remote->len; i++)
    {
      const char *id = ((KaBallot *) g_ptr_array_index (remote, i))->ballot_id;

      g_assert_true (g_hash_table_add (on_collector, (gpointer) id));
      g_assert_true (g_hash_table_contains (in_store, id));
    }
  for (guint i = 0; i < local->len; i++)
    {
      KaBallot *b = g_ptr_array_index (local, i);

      if (ka_store_get_delivery_state (store, b->ballot_id, &error) == KA_DELIVERY_DELIVERED)
        {
          if (!g_hash_table_contains (on_collector, b->ballot_id))
            g_error ("ballot %s is marked delivered but the collector does not hold it",
                     b->ballot_id);
        }
      g_assert_no_error (error);
    }
}

static void
test_sigkill (void)
{
  g_autofree char *dir = ka_test_make_tmp_dir ("ka-test-sync-XXXXXX");
  g_autoptr(Collector) collector = collector_start (dir);
  g_autoptr(KaStore) store = open_store (dir, "arena.sqlite3");
  g_autoptr(KaSync) sync = make_sync (store, collector->proc.url, 10, 10);
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (test_seed ());
  const guint trials = MAX (50, env_uint ("KA_SYNC_KILL_TRIALS", 60));
  gint64 calibration = 0;
  guint killed = 0;
  guint finished = 0;

  g_assert_true (ka_test_sync_enrol (sync, KA_MODE_CITIZEN, NULL, &error));
  g_assert_no_error (error);

  /* How long an unkilled child syncs 30 ballots, from "ready" to exit. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GDataInputStream) out = NULL;
      g_autoptr(GSubprocess) child = NULL;
      gint64 start;

      cast (store, 30);
      child = spawn_child (ka_store_get_path (store), collector->proc.url, &out);
      start = g_get_monotonic_time ();
      g_subprocess_wait_check (child, NULL, &error);
      g_assert_no_error (error);
      calibration = MAX (calibration, g_get_monotonic_time () - start);
    }
  assert_collector_holds_exactly (collector, store);
  g_test_message ("an unkilled child syncs 30 ballots in %" G_GINT64_FORMAT " us",
                  calibration);

  for (guint t = 0; t < trials; t++)
    {
      g_autoptr(GDataInputStream) out = NULL;
      g_autoptr(GSubprocess) child = NULL;
      gint64 delay = g_rand_int_range (rand, 0, (gint32) CLAMP (calibration, 1, G_MAXINT32));

      cast (store, 30);
      child = spawn_child (ka_store_get_path (store), collector->proc.url, &out);
      g_usleep (delay);
      g_subprocess_send_signal (child, SIGKILL);
      g_subprocess_wait (child, NULL, &error);
      g_assert_no_error (error);
      if (g_subprocess_get_if_signaled (child))
        killed++;
      else
        finished++;

      /* Acknowledged means stored: nothing marked delivered is missing. */
      assert_delivered_subset (collector, store);
    }

  g_test_message ("%u children killed during their sync, %u finished first", killed, finished);
  g_assert_cmpuint (killed, >=, trials / 4);

  /* After a restart every ballot is delivered, exactly once. */
  g_assert_true (ka_test_sync_run (sync, &error));
  g_assert_no_error (error);
  assert_collector_holds_exactly (collector, store);

  g_clear_object (&sync);
  g_clear_pointer (&collector, collector_free);
  g_clear_object (&store);
  ka_test_remove_tree (dir);
}

/* A collector restored from an older copy of its database --------------------------- */

static void
test_restore (void)
{
  g_autofree char *dir = ka_test_make_tmp_dir ("ka-test-sync-XXXXXX");
  g_autoptr(Collector) collector = collector_start (dir);
  g_autoptr(KaStore) store = open_store (dir, "arena.sqlite3");
  g_autoptr(KaSync) sync = make_sync (store, collector->proc.url, 10, 500);
  g_autoptr(GError) error = NULL;
  g_autofree char *backup = g_build_filename (dir, "backup.sqlite3", NULL);
  g_autofree char *wal = g_strconcat (collector->database, "-wal", NULL);
  g_autofree char *shm = g_strconcat (collector->database, "-shm", NULL);
  g_autoptr(GPtrArray) restored = NULL;
  guint16 port = collector->port;
  const KaSyncReport *report;

  cast (store, 700);
  g_assert_true (ka_test_sync_run (sync, &error));
  g_assert_no_error (error);
  assert_collector_holds_exactly (collector, store);

  /* The organisers' backup, taken while it is stopped (clean: no WAL left). */
  collector_halt (collector);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  copy_file (collector->database, backup);
  collector_launch (collector, port);

  cast (store, 650);
  g_assert_true (ka_test_sync_run (sync, &error));
  g_assert_no_error (error);
  assert_collector_holds_exactly (collector, store);
  g_assert_cmpuint (ka_sync_get_delivered (sync), ==, 1350);

  /* Disaster: the collector comes back from the older copy. */
  collector_halt (collector);
  copy_file (backup, collector->database);
  g_unlink (wal);
  g_unlink (shm);
  collector_launch (collector, port);
  restored = collector_export (collector);
  g_assert_cmpuint (restored->len, ==, 700);

  cast (store, 5);
  g_assert_true (ka_test_sync_run (sync, &error));
  g_assert_no_error (error);
  report = ka_sync_get_last_report (sync);
  g_assert_cmpint (report->requeued, ==, 650);
  g_assert_cmpuint (report->accepted, ==, 655);
  g_assert_cmpuint (report->duplicate, ==, 0);
  assert_collector_holds_exactly (collector, store);

  g_clear_object (&sync);
  g_clear_pointer (&collector, collector_free);
  g_clear_object (&store);
  ka_test_remove_tree (dir);
}

/* TLS: an untrusted self-signed certificate is refused -------------------------------- */

static void
test_tls (void)
{
  g_autofree char *dir = ka_test_make_tmp_dir ("ka-test-sync-XXXXXX");
  g_autoptr(Collector) collector = collector_start_full (dir, TRUE, FALSE);
  g_autoptr(KaStore) store = open_store (dir, "arena.sqlite3");
  g_autoptr(KaSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) remote = NULL;
  g_autofree char *token_path = NULL;

  g_assert_true (g_str_has_prefix (collector->proc.url, "https://127.0.0.1:"));
  cast (store, 10);
  sync = make_sync (store, collector->proc.url, 10, 500);
  token_path = ka_sync_get_token_path (sync);

  g_assert_false (ka_test_sync_run (sync, &error));
  g_assert_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_TLS);
  g_test_message ("refused: %s", error->message);
  g_assert_cmpint (ka_sync_get_state (sync), ==, KA_SYNC_STATE_ERROR);
  g_assert_false (g_file_test (token_path, G_FILE_TEST_EXISTS));
  g_assert_cmpint (counts_of (store).pending, ==, 10);

  /* The collector really served TLS (the test's own session accepts its certificate), and
   * holds nothing. */
  remote = collector_export (collector);
  g_assert_cmpuint (remote->len, ==, 0);

  g_clear_object (&sync);
  g_clear_pointer (&collector, collector_free);
  g_clear_object (&store);
  ka_test_remove_tree (dir);
}

/* Background loop: the network monitor pauses and resumes it ------------------------ */

static void
test_offline (void)
{
  g_autofree char *dir = ka_test_make_tmp_dir ("ka-test-sync-XXXXXX");
  g_autoptr(Collector) collector = collector_start (dir);
  g_autoptr(Proxy) proxy = proxy_new (collector->port, test_seed (), 1.0);
  g_autofree char *url = proxy_url (proxy);
  g_autoptr(KaStore) store = open_store (dir, "arena.sqlite3");
  g_autoptr(KaTestMonitor) monitor = g_object_new (KA_TYPE_TEST_MONITOR, NULL);
  g_autoptr(KaSync) sync = NULL;
  g_autoptr(GError) error = NULL;

  cast (store, 20);
  ka_test_monitor_set_available (monitor, FALSE);
  sync = g_object_new (KA_TYPE_SYNC, "store", store, "server-url", url, "timeout", 10,
                       "network-monitor", monitor, "interval", 3600, NULL);

  ka_sync_start (sync);
  g_assert_cmpint (ka_sync_get_state (sync), ==, KA_SYNC_STATE_OFFLINE);
  iterate_for (300);
  g_assert_cmpuint (proxy->requests, ==, 0);
  g_assert_cmpuint (ka_sync_get_pending (sync), ==, 20);
  g_assert_cmpint (ka_sync_get_state (sync), ==, KA_SYNC_STATE_OFFLINE);

  /* The network returns: the loop syncs at once. */
  ka_test_monitor_set_available (monitor, TRUE);
  while (ka_sync_get_pending (sync) > 0 || ka_sync_get_state (sync) != KA_SYNC_STATE_IDLE)
    g_main_context_iteration (NULL, TRUE);
  assert_collector_holds_exactly (collector, store);
  g_assert_cmpint (ka_sync_get_next_sync (sync), >, g_get_real_time () / G_USEC_PER_SEC + 3000);

  /* A ballot cast while the loop waits for its interval goes out on request. */
  cast (store, 1);
  ka_sync_request_sync (sync);
  g_assert_cmpuint (ka_sync_get_pending (sync), ==, 1);
  while (ka_sync_get_pending (sync) > 0 || ka_sync_get_state (sync) != KA_SYNC_STATE_IDLE)
    g_main_context_iteration (NULL, TRUE);
  assert_collector_holds_exactly (collector, store);

  /* Offline again: the timer is dropped. */
  ka_test_monitor_set_available (monitor, FALSE);
  g_assert_cmpint (ka_sync_get_state (sync), ==, KA_SYNC_STATE_OFFLINE);
  g_assert_cmpint (ka_sync_get_next_sync (sync), ==, 0);

  ka_sync_stop (sync);
  g_clear_object (&sync);
  g_clear_pointer (&proxy, proxy_free);
  g_clear_pointer (&collector, collector_free);
  g_clear_object (&store);
  ka_test_remove_tree (dir);
}

/* Cancellation: stop() cuts a hanging request; disposing during a background sync leaves
 * no thread touching freed memory. */
static void
test_cancel (void)
{
  g_autofree char *dir = ka_test_make_tmp_dir ("ka-test-sync-XXXXXX");
  g_autoptr(Collector) collector = collector_start (dir);
  g_autoptr(Proxy) proxy = proxy_new (collector->port, test_seed (), 1.0);
  g_autofree char *url = proxy_url (proxy);
  g_autoptr(KaStore) store = open_store (dir, "arena.sqlite3");
  g_autoptr(KaTestMonitor) monitor = g_object_new (KA_TYPE_TEST_MONITOR, NULL);
  g_autoptr(KaSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  KaTestResult r = { FALSE, };
  gint64 deadline;

  cast (store, 20);
  /* A 120 s timeout: only cancellation can end these hangs within the test. */
  sync = g_object_new (KA_TYPE_SYNC, "store", store, "server-url", url, "timeout", 120,
                       "network-monitor", monitor, NULL);
  g_assert_true (ka_test_sync_enrol (sync, KA_MODE_CITIZEN, NULL, &error));

  proxy_force (proxy, F_HANG_AFTER);
  ka_sync_run_async (sync, NULL, ka_test_sync_run_cb, &r);
  while (proxy_posts (proxy) == 0)
    g_main_context_iteration (NULL, FALSE);
  iterate_for (100);
  g_assert_false (r.done);
  g_assert_cmpint (ka_sync_get_state (sync), ==, KA_SYNC_STATE_SYNCING);
  ka_sync_stop (sync);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&r.error);
  g_assert_cmpint (ka_sync_get_state (sync), !=, KA_SYNC_STATE_SYNCING);
  g_assert_cmpint (counts_of (store).pending, ==, 20);   /* the answer never came */

  /* A caller's cancellable cancels its run. */
  proxy_force (proxy, F_HANG_BEFORE);
  r = (KaTestResult) { FALSE, };
  ka_sync_run_async (sync, cancellable, ka_test_sync_run_cb, &r);
  while (proxy_posts (proxy) < 2)
    g_main_context_iteration (NULL, FALSE);
  g_cancellable_cancel (cancellable);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&r.error);

  /* Background sync hanging; the last reference dropped: the worker is cancelled and lets
   * go of the store, and nothing calls back into the freed object. */
  proxy_force (proxy, F_HANG_BEFORE);
  ka_sync_start (sync);
  while (proxy_posts (proxy) < 3)
    g_main_context_iteration (NULL, FALSE);
  g_assert_finalize_object (g_steal_pointer (&sync));
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (G_OBJECT (store)->ref_count > 1)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
      if (g_get_monotonic_time () > deadline)
        g_error ("the cancelled worker never let go of the store");
    }
  iterate_for (50);

  /* The ballots are still there, and a new client delivers them (duplicates included). */
  sync = make_sync (store, collector->proc.url, 10, 500);
  g_assert_true (ka_test_sync_run (sync, &error));
  g_assert_no_error (error);
  assert_collector_holds_exactly (collector, store);

  g_clear_object (&sync);
  g_clear_pointer (&proxy, proxy_free);
  g_clear_pointer (&collector, collector_free);
  g_assert_finalize_object (g_steal_pointer (&store));
  ka_test_remove_tree (dir);
}

/* kai-arena-admin sync ---------------------------------------------------------------- */

static int
run_admin (const char * const *args,
           char              **out)
{
  const char *admin = g_getenv ("KA_ADMIN");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (char *) admin);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  child = g_subprocess_newv ((const char * const *) argv->pdata,
                             G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                             &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (child, NULL, NULL, out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (child));
  return g_subprocess_get_exit_status (child);
}

static void
test_admin (void)
{
  const char *admin = g_getenv ("KA_ADMIN");
  g_autofree char *dir = NULL;
  g_autoptr(Collector) collector = NULL;
  g_autoptr(KaStore) store = NULL;
  g_autofree char *out = NULL;
  g_autofree char *path = NULL;
  g_autofree char *missing = NULL;

  if (admin == NULL || !g_file_test (admin, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("KA_ADMIN does not name the built kai-arena-admin");
      return;
    }

  dir = ka_test_make_tmp_dir ("ka-test-sync-XXXXXX");
  collector = collector_start (dir);
  store = open_store (dir, "arena.sqlite3");
  path = g_strdup (ka_store_get_path (store));
  cast (store, 42);

  {
    const char * const args[] = { "sync", "--database", path, "--server", collector->proc.url, NULL };

    g_assert_cmpint (run_admin (args, &out), ==, 0);
    g_assert_nonnull (strstr (out, "enrolled: as a citizen"));
    g_assert_nonnull (strstr (out, "accepted: 42\n"));
    g_assert_nonnull (strstr (out, "still pending: 0\n"));
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (run_admin (args, &out), ==, 0);
    g_assert_nonnull (strstr (out, "sent: 0 ballots"));
    g_clear_pointer (&out, g_free);
  }
  assert_collector_holds_exactly (collector, store);

  /* The collector down: the new ballots remain, the exit status says so. */
  cast (store, 3);
  {
    const char * const args[] = { "sync", "--database", path, "--server",
                                  "http://127.0.0.1:9/", "--timeout", "2", NULL };

    g_assert_cmpint (run_admin (args, &out), ==, 1);
    g_assert_nonnull (strstr (out, "still pending: 3\n"));
    g_clear_pointer (&out, g_free);
  }

  /* Usage errors and refusals. */
  missing = g_build_filename (dir, "missing.sqlite3", NULL);
  {
    const char * const insecure[] = { "sync", "--database", path, "--server",
                                      "http://192.0.2.1/", NULL };
    const char * const no_store[] = { "sync", "--database", missing, "--server",
                                      collector->proc.url, NULL };
    const char * const citizen_code[] = { "sync", "--database", path, "--server",
                                          collector->proc.url, "--kind", "citizen",
                                          "--enrolment-code", "x", NULL };

    g_assert_cmpint (run_admin (insecure, &out), ==, 2);
    g_assert_nonnull (strstr (out, "refusing plain HTTP"));
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (run_admin (no_store, &out), ==, 1);
    g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (run_admin (citizen_code, &out), ==, 2);
    g_clear_pointer (&out, g_free);
  }

  g_clear_pointer (&collector, collector_free);
  g_clear_object (&store);
  ka_test_remove_tree (dir);
}

/* The chain check against the collector (issue 11): the "restored the wrong backup" cases
 * GET /v1/devices/{id}/chain exists for. Each stops the run before anything is uploaded
 * and leaves the outbox as it was. */

/* Closes @store (checkpointing its WAL), copies its file to @to, and reopens it. */
static KaStore *
store_copy (KaStore    *store,
            const char *dir,
            const char *name,
            const char *to)
{
  g_autofree char *path = g_strdup (ka_store_get_path (store));

  g_assert_finalize_object (store);
  copy_file (path, to);
  return open_store (dir, name);
}

static void
assert_diverged (KaSync     *sync,
                 KaStore    *store,
                 Proxy      *proxy,
                 gint        code,
                 const char *needle)
{
  g_autoptr(GError) error = NULL;
  KaOutboxCounts before = counts_of (store);
  KaOutboxCounts after;
  guint posts = proxy_posts (proxy);

  g_assert_false (ka_test_sync_run (sync, &error));
  g_assert_error (error, KA_SYNC_ERROR, code);
  g_test_message ("refused as expected: %s", error->message);
  g_assert_nonnull (strstr (error->message, needle));
  g_assert_cmpuint (proxy_posts (proxy), ==, posts);

  after = counts_of (store);
  g_assert_cmpint (after.pending, ==, before.pending);
  g_assert_cmpint (after.delivered, ==, before.delivered);
  g_assert_cmpint (after.rejected, ==, before.rejected);
}

static void
test_chain_check (void)
{
  g_autofree char *dir = ka_test_make_tmp_dir ("ka-test-sync-XXXXXX");
  g_autoptr(Collector) collector = collector_start (dir);
  g_autoptr(Proxy) proxy = proxy_new (collector->port, test_seed (), 0.001);
  g_autofree char *url = proxy_url (proxy);
  g_autoptr(KaStore) store = open_store (dir, "arena.sqlite3");
  g_autoptr(KaSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *backup = g_build_filename (dir, "device-backup.sqlite3", NULL);
  g_autofree char *device_id = g_strdup (ka_store_get_device_id (store));
  g_autofree char *path = g_strdup (ka_store_get_path (store));
  g_autofree char *wal = g_strconcat (ka_store_get_path (store), "-wal", NULL);
  g_autofree char *shm = g_strconcat (ka_store_get_path (store), "-shm", NULL);
  g_autoptr(GPtrArray) remote = NULL;

  /* 5 ballots delivered; the device's backup; 5 more delivered. */
  cast (store, 5);
  sync = make_sync (store, url, 10, 100);
  g_assert_true (ka_test_sync_run (sync, &error));
  g_assert_no_error (error);
  g_clear_object (&sync);
  store = store_copy (g_steal_pointer (&store), dir, "arena.sqlite3", backup);
  cast (store, 5);
  sync = make_sync (store, url, 10, 100);
  g_assert_true (ka_test_sync_run (sync, &error));
  g_assert_no_error (error);
  assert_collector_holds_exactly (collector, store);
  g_clear_object (&sync);

  /* The device comes back from its backup: the collector holds 10 of its ballots, the
   * store only ever cast 5. */
  g_assert_finalize_object (g_steal_pointer (&store));
  copy_file (backup, path);
  g_unlink (wal);
  g_unlink (shm);
  store = open_store (dir, "arena.sqlite3");
  g_assert_cmpstr (ka_store_get_device_id (store), ==, device_id);
  sync = make_sync (store, url, 10, 100);
  assert_diverged (sync, store, proxy, KA_SYNC_ERROR_DIVERGED, "more than this store ever cast");
  g_assert_cmpint (ka_sync_get_last_report (sync)->server_count, ==, 10);

  /* It votes on: its ballots 6-10 are not the collector's 6-10. */
  cast (store, 5);
  assert_diverged (sync, store, proxy, KA_SYNC_ERROR_DIVERGED, "different history");
  g_assert_cmpint (counts_of (store).pending, ==, 5);

  /* A collector that claims no ballot of this device but a chain head other than the
   * genesis hash, or answers for another device: a bad answer, nothing sent. */
  g_mutex_lock (&proxy->lock);
  proxy->chain_body = g_strdup_printf ("{\"device_id\":\"%s\",\"count\":0,\"head\":\"%s\"}",
                                       device_id, "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
                                                  "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a");
  g_mutex_unlock (&proxy->lock);
  assert_diverged (sync, store, proxy, KA_SYNC_ERROR_BAD_RESPONSE, "reports no ballot");

  g_mutex_lock (&proxy->lock);
  g_free (proxy->chain_body);
  proxy->chain_body = g_strdup_printf ("{\"device_id\":\"%s\",\"count\":0,\"head\":\"%s\"}",
                                       "00000000-0000-4000-8000-000000000001",
                                       KA_BALLOT_GENESIS_HASH);
  g_mutex_unlock (&proxy->lock);
  assert_diverged (sync, store, proxy, KA_SYNC_ERROR_BAD_RESPONSE, "this device's count");

  remote = collector_export (collector);
  g_assert_cmpuint (remote->len, ==, 10);

  g_clear_object (&sync);
  g_clear_pointer (&proxy, proxy_free);
  g_clear_pointer (&collector, collector_free);
  g_clear_object (&store);
  ka_test_remove_tree (dir);
}

/* Model names in a receipt for a ballot the collector rejected are never stored
 * (issue 11): only delivered ballots get their names. */
static void
test_reveal_rejected (void)
{
  g_autofree char *dir = ka_test_make_tmp_dir ("ka-test-sync-XXXXXX");
  g_autoptr(KaStore) store = open_store (dir, "arena.sqlite3");
  g_autoptr(Collector) collector = collector_start (dir);
  g_autoptr(Proxy) proxy = proxy_new (collector->port, test_seed (), 0.001);
  g_autofree char *url = proxy_url (proxy);
  g_autoptr(KaSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ballots = NULL;
  guint named = 0;

  cast (store, 20);
  sync = make_sync (store, url, 10, 50);
  g_assert_true (ka_test_sync_run (sync, &error));
  g_assert_no_error (error);

  /* Ballot 21 altered after sealing (bad_hash), 22-30 then break the chain. */
  cast (store, 10);
  tamper (ka_store_get_path (store), 21);
  g_mutex_lock (&proxy->lock);
  proxy->reveal_rejected = TRUE;
  g_mutex_unlock (&proxy->lock);
  g_assert_true (ka_test_sync_run (sync, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ka_sync_get_last_report (sync)->rejected, ==, 10);

  ballots = ka_store_list_ballots (store, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < ballots->len; i++)
    {
      KaBallot *b = g_ptr_array_index (ballots, i);
      g_autofree char *model_a = NULL;
      g_autofree char *model_b = NULL;

      g_assert_true (ka_store_get_reveal (store, b->ballot_id, &model_a, &model_b, &error));
      g_assert_no_error (error);
      if (b->seq > 20)
        {
          g_assert_cmpint (ka_store_get_delivery_state (store, b->ballot_id, &error), ==,
                           KA_DELIVERY_REJECTED);
          g_assert_null (model_a);
          g_assert_null (model_b);
        }
      else
        {
          g_assert_nonnull (model_a);
          g_assert_cmpstr (model_a, !=, "Injected Model A");
          named++;
        }
    }
  g_assert_cmpuint (named, ==, 20);

  g_clear_object (&sync);
  g_clear_pointer (&proxy, proxy_free);
  g_clear_pointer (&collector, collector_free);
  g_clear_object (&store);
  ka_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  if (argc == 4 && strcmp (argv[1], "--sync-child") == 0)
    return sync_child_main (argv[2], argv[3]);

  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);

  g_test_add_func ("/ka/sync/store-outbox", test_store_outbox);
  g_test_add_func ("/ka/sync/server-url", test_server_url);
  g_test_add_func ("/ka/sync/retry-after", test_retry_after);
  g_test_add_func ("/ka/sync/backoff", test_backoff);
  g_test_add_func ("/ka/sync/insecure", test_insecure);
  g_test_add_func ("/ka/sync/basic", test_basic);
  g_test_add_func ("/ka/sync/enrolment", test_enrolment);
  g_test_add_func ("/ka/sync/rejected", test_rejected);
  g_test_add_func ("/ka/sync/malformed", test_malformed);
  g_test_add_func ("/ka/sync/retry-after-wait", test_retry_after_wait);
  g_test_add_func ("/ka/sync/faults", test_faults);
  g_test_add_func ("/ka/sync/race", test_race);
  g_test_add_func ("/ka/sync/sigkill", test_sigkill);
  g_test_add_func ("/ka/sync/restore", test_restore);
  g_test_add_func ("/ka/sync/tls", test_tls);
  g_test_add_func ("/ka/sync/offline", test_offline);
  g_test_add_func ("/ka/sync/cancel", test_cancel);
  g_test_add_func ("/ka/sync/admin", test_admin);
  g_test_add_func ("/ka/sync/chain-check", test_chain_check);
  g_test_add_func ("/ka/sync/reveal-rejected", test_reveal_rejected);

  return g_test_run ();
}
