/* ka-sync.c: the client side of the sync protocol (docs/protocol.md)
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A KaSync lives on the thread-default main context current at construction (the UI
 * thread in the app). Each operation (one sync "run", or an enrolment) is a Pass: a
 * refcounted snapshot of the configuration plus its own references to the store and the
 * SoupSession, executed in a dedicated worker thread with libsoup's blocking API (allowed
 * from any thread since libsoup 3.2) and the thread-safe KaStore. The worker never
 * touches the KaSync: it reports progress and its result to the owner context through a
 * weak reference, so disposing the KaSync only cancels the pass, and a pass that finishes
 * afterwards finds nobody to tell (no use-after-free). Passes run one at a time; further
 * requests queue behind the running one (runs coalesce).
 *
 * Delivery rules (protocol §6): a ballot is delivered only by a 201 carrying a
 * well-formed receipt that lists it as accepted or duplicate; anything else leaves it
 * pending and is retried with capped exponential backoff and full jitter, or after the
 * collector's Retry-After. Rejected ballots are quarantined and never block the others.
 * Before each run, and after a chain_break, the client compares its chain with the
 * collector's (§7) and requeues what a restored collector lost.
 */

#define G_LOG_DOMAIN "ka-sync"

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/stat.h>

#include "ka-pack.h"
#include "ka-sync.h"

/* Response size limits: a receipt for 500 ballots is ~100 KiB; error and chain bodies are
 * tiny. A body beyond its limit is a bad response, never read into memory whole. */
#define MAX_RECEIPT_BYTES   (8 * 1024 * 1024)
#define MAX_SMALL_BYTES     (256 * 1024)
#define MAX_PACK_BYTES      (KA_PACK_MAX_BYTES)

/* A request whose answer is not complete after this long fails even if bytes keep
 * trickling in (the session's "timeout" only catches silence). */
#define REQUEST_DEADLINE_SECONDS 300

/* chain_break → reconcile → resend, at most this often in one run. */
#define MAX_RECONCILES_PER_RUN 4

#define DEFAULT_TIMEOUT_SECONDS  30
#define DEFAULT_INTERVAL_SECONDS 300
#define IDLE_TIMEOUT_SECONDS     60

/* meta keys in the store */
#define META_LAST_SYNC     "sync.last_sync"
#define META_PACK_ETAG     "sync.pack_etag"
#define META_ENROLLED_URL  "sync.enrolled_url"
#define META_DEVICE_KIND   "sync.device_kind"

G_DEFINE_QUARK (ka-sync-error-quark, ka_sync_error)

GType
ka_sync_state_get_type (void)
{
  static gsize type_id = 0;
  static const GEnumValue values[] = {
    { KA_SYNC_STATE_IDLE, "KA_SYNC_STATE_IDLE", "idle" },
    { KA_SYNC_STATE_SYNCING, "KA_SYNC_STATE_SYNCING", "syncing" },
    { KA_SYNC_STATE_OFFLINE, "KA_SYNC_STATE_OFFLINE", "offline" },
    { KA_SYNC_STATE_ERROR, "KA_SYNC_STATE_ERROR", "error" },
    { KA_SYNC_STATE_NOT_ENROLLED, "KA_SYNC_STATE_NOT_ENROLLED", "not-enrolled" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id, g_enum_register_static (g_intern_static_string ("KaSyncState"),
                                                         values));
  return type_id;
}

/* Reports ------------------------------------------------------------------------------ */

static void
rejection_free (KaSyncRejection *r)
{
  g_free (r->ballot_id);
  g_free (r->code);
  g_free (r->message);
  g_free (r);
}

static KaSyncRejection *
rejection_new (const char *ballot_id,
               const char *code,
               const char *message)
{
  KaSyncRejection *r = g_new0 (KaSyncRejection, 1);

  r->ballot_id = g_strdup (ballot_id);
  r->code = g_strdup (code);
  r->message = g_strdup (message);
  return r;
}

static KaSyncReport *
report_new (void)
{
  KaSyncReport *report = g_new0 (KaSyncReport, 1);

  report->rejections = g_ptr_array_new_with_free_func ((GDestroyNotify) rejection_free);
  report->server_count = -1;
  report->retry_after_ms = -1;
  return report;
}

/**
 * ka_sync_report_free:
 * @report: (transfer full) (nullable): a #KaSyncReport
 *
 * Frees @report and everything it holds.
 */
void
ka_sync_report_free (KaSyncReport *report)
{
  if (report == NULL)
    return;

  g_clear_pointer (&report->rejections, g_ptr_array_unref);
  g_clear_pointer (&report->pack, g_bytes_unref);
  g_free (report->pack_etag);
  g_free (report);
}

/**
 * ka_sync_report_copy:
 * @report: a #KaSyncReport
 *
 * Returns: (transfer full): a deep copy of @report (the pack bytes are shared).
 */
KaSyncReport *
ka_sync_report_copy (const KaSyncReport *report)
{
  KaSyncReport *copy;

  g_return_val_if_fail (report != NULL, NULL);

  copy = report_new ();
  copy->enrolled = report->enrolled;
  copy->requests = report->requests;
  copy->batches = report->batches;
  copy->sent = report->sent;
  copy->accepted = report->accepted;
  copy->duplicate = report->duplicate;
  copy->rejected = report->rejected;
  for (guint i = 0; report->rejections != NULL && i < report->rejections->len; i++)
    {
      const KaSyncRejection *r = g_ptr_array_index (report->rejections, i);

      g_ptr_array_add (copy->rejections, rejection_new (r->ballot_id, r->code, r->message));
    }
  copy->requeued = report->requeued;
  copy->pending = report->pending;
  copy->server_count = report->server_count;
  copy->pack = report->pack != NULL ? g_bytes_ref (report->pack) : NULL;
  copy->pack_etag = g_strdup (report->pack_etag);
  copy->retry_after_ms = report->retry_after_ms;
  return copy;
}

/* Pure helpers ------------------------------------------------------------------------- */

/**
 * ka_sync_check_server_url:
 * @server_url: a collector's base URL, e.g. `https://collector.example/` or
 *   `http://127.0.0.1:8787/`
 * @error: return location for a #GError
 *
 * Checks a base URL the way every request does, without any network access: it must be
 * an absolute `https://` URL, or an `http://` URL whose host is `localhost`, an address
 * in `127.0.0.0/8` or `::1` (docs/protocol.md §1: TLS is required for any host but
 * loopback), without user information, query or fragment. Host names other than
 * `localhost` are never resolved here.
 *
 * Returns: %TRUE if @server_url may be used; %FALSE with #KA_SYNC_ERROR_INVALID_URL or
 *   #KA_SYNC_ERROR_INSECURE_URL.
 */
gboolean
ka_sync_check_server_url (const char  *server_url,
                          GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GInetAddress) address = NULL;
  const char *scheme;
  const char *host;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (server_url == NULL || server_url[0] == '\0')
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_INVALID_URL,
                   "no collector URL is set");
      return FALSE;
    }

  uri = g_uri_parse (server_url, G_URI_FLAGS_NONE, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_INVALID_URL,
                   "“%s” is not a URL: %s", server_url, local_error->message);
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if ((g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0) ||
      host == NULL || host[0] == '\0')
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_INVALID_URL,
                   "“%s” is not an http:// or https:// URL with a host", server_url);
      return FALSE;
    }

  if (g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL ||
      g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_INVALID_URL,
                   "the collector URL “%s” must not carry a user name, query or fragment",
                   server_url);
      return FALSE;
    }

  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;

  /* Plain HTTP: loopback only, decided from the text alone (no lookup, no connection). */
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  if (address != NULL && g_inet_address_get_is_loopback (address))
    return TRUE;

  g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_INSECURE_URL,
               "refusing plain HTTP to %s: the collector must use https:// (only loopback "
               "addresses may use http://)", host);
  return FALSE;
}

/**
 * ka_sync_parse_retry_after:
 * @value: (nullable): the value of a `Retry-After` header
 * @now: (nullable): the current time, for an HTTP-date; %NULL for the system clock
 * @delay_ms: (out): the delay in milliseconds, clamped to
 *   [0, %KA_SYNC_RETRY_AFTER_MAX_SECONDS × 1000]
 *
 * Parses `Retry-After` (RFC 9110 §10.2.3): delay-seconds (1*DIGIT, any length: huge
 * values clamp to one hour) or an HTTP-date (a date in the past gives 0). Anything else
 * (empty, signed, fractional, garbage) is refused, and the caller falls back to its
 * default backoff (docs/protocol.md §6.4).
 *
 * Returns: %TRUE if @value is a valid `Retry-After`.
 */
gboolean
ka_sync_parse_retry_after (const char *value,
                           GDateTime  *now,
                           gint64     *delay_ms)
{
  const gint64 max_ms = (gint64) KA_SYNC_RETRY_AFTER_MAX_SECONDS * 1000;
  g_autofree char *text = NULL;
  gsize n_digits = 0;

  g_return_val_if_fail (delay_ms != NULL, FALSE);

  if (value == NULL)
    return FALSE;

  text = g_strstrip (g_strdup (value));
  while (g_ascii_isdigit (text[n_digits]))
    n_digits++;

  if (n_digits > 0 && text[n_digits] == '\0')
    {
      guint64 seconds = 0;

      /* More than 10 digits is beyond any clamp; do not risk overflow. */
      if (n_digits > 10 ||
          !g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &seconds, NULL) ||
          seconds > KA_SYNC_RETRY_AFTER_MAX_SECONDS)
        *delay_ms = max_ms;
      else
        *delay_ms = (gint64) seconds * 1000;
      return TRUE;
    }

  if (n_digits == 0 && text[0] != '\0' && g_ascii_isalpha (text[0]))
    {
      g_autoptr(GDateTime) date = soup_date_time_new_from_http_string (text);
      g_autoptr(GDateTime) clock = NULL;
      GTimeSpan span;

      if (date == NULL)
        return FALSE;

      if (now == NULL)
        now = clock = g_date_time_new_now_utc ();
      span = g_date_time_difference (date, now);
      *delay_ms = CLAMP (span / 1000, 0, max_ms);
      return TRUE;
    }

  return FALSE;
}

/**
 * ka_sync_backoff_delay:
 * @rand: the random source of the jitter
 * @failures: consecutive failures so far, counting the one just seen (0: no delay)
 * @base_ms: the ceiling after the first failure, in milliseconds
 * @cap_ms: the largest ceiling, in milliseconds
 *
 * Capped exponential backoff with full jitter ("Exponential Backoff And Jitter", Marc
 * Brooker, AWS Architecture Blog, 2015): a uniformly random delay in [0, min(@cap_ms,
 * @base_ms × 2^(@failures − 1))). Randomising the whole interval spreads the retries of
 * many kiosks that lost the network together.
 *
 * Returns: the delay in milliseconds.
 */
gint64
ka_sync_backoff_delay (GRand  *rand,
                       guint   failures,
                       gint64  base_ms,
                       gint64  cap_ms)
{
  gint64 ceiling;

  g_return_val_if_fail (rand != NULL, 0);

  if (failures == 0 || base_ms <= 0 || cap_ms <= 0)
    return 0;

  ceiling = base_ms;
  for (guint i = 1; i < failures && ceiling < cap_ms; i++)
    ceiling *= 2;
  ceiling = MIN (ceiling, cap_ms);

  return (gint64) g_rand_double_range (rand, 0, (double) ceiling);
}

/* The object --------------------------------------------------------------------------- */

typedef enum
{
  OP_RUN,
  OP_ENROL,
} OpKind;

/* How the last operation ended, for the "state" property. */
typedef enum
{
  OUTCOME_OK,
  OUTCOME_OFFLINE,
  OUTCOME_ERROR,
  OUTCOME_NOT_ENROLLED,
} Outcome;

typedef struct _Pass Pass;

/* A queued or running operation and the callers waiting for it. */
typedef struct
{
  OpKind     kind;
  KaMode     enrol_kind;
  char      *enrol_code;
  GPtrArray *tasks;           /* GTask, waiting callers */
  GPtrArray *cancellables;    /* the callers' GCancellables, parallel to handler_ids */
  GArray    *handler_ids;     /* gulong */
} Op;

struct _KaSync
{
  GObject          parent_instance;

  /* owned */
  KaStore         *store;
  char            *server_url;
  SoupSession     *session;
  GNetworkMonitor *monitor;
  GMainContext    *context;
  GRand           *rand;
  GCancellable    *cancellable;      /* cancelled by stop() and dispose() */
  char            *last_error;
  int              last_error_code;  /* KaSyncError of last_error, -1 if none or another domain */
  KaSyncReport    *last_report;
  GQueue           ops;              /* Op, waiting to run */
  Op              *current_op;
  Pass            *current_pass;

  /* configuration */
  guint            timeout;
  guint            batch_size;
  guint            interval;
  guint            jitter_seed;
  double           time_scale;
  gboolean         auto_enrol;
  gboolean         fetch_pack;

  /* state */
  KaSyncState      state;
  Outcome          outcome;
  guint            pending;
  guint            delivered;
  guint            rejected;
  gint64           last_sync;
  gint64           next_sync;
  gboolean         enrolled;
  guint            failures;
  gboolean         started;
  gboolean         rerun;
  gboolean         disposed;
  gboolean         network_up;
  guint            timer_id;
  gulong           network_changed_id;
};

G_DEFINE_FINAL_TYPE (KaSync, ka_sync, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STORE,
  PROP_SERVER_URL,
  PROP_STATE,
  PROP_PENDING,
  PROP_DELIVERED,
  PROP_REJECTED,
  PROP_LAST_SYNC,
  PROP_LAST_ERROR,
  PROP_ENROLLED,
  PROP_NEXT_SYNC,
  PROP_AUTO_ENROL,
  PROP_FETCH_PACK,
  PROP_BATCH_SIZE,
  PROP_INTERVAL,
  PROP_TIMEOUT,
  PROP_NETWORK_MONITOR,
  PROP_JITTER_SEED,
  PROP_TIME_SCALE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_BALLOTS_SETTLED,
  SIGNAL_PACK_UPDATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_next_op   (KaSync *self);
static void schedule_next   (KaSync *self);
static void update_state    (KaSync *self);

static void
op_free (Op *op)
{
  for (guint i = 0; i < op->cancellables->len; i++)
    g_cancellable_disconnect (g_ptr_array_index (op->cancellables, i),
                              g_array_index (op->handler_ids, gulong, i));
  g_ptr_array_unref (op->cancellables);
  g_array_unref (op->handler_ids);
  g_ptr_array_unref (op->tasks);
  if (op->enrol_code != NULL)
    memset (op->enrol_code, 0, strlen (op->enrol_code));
  g_free (op->enrol_code);
  g_free (op);
}

static Op *
op_new (OpKind kind)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->tasks = g_ptr_array_new_with_free_func (g_object_unref);
  op->cancellables = g_ptr_array_new_with_free_func (g_object_unref);
  op->handler_ids = g_array_new (FALSE, FALSE, sizeof (gulong));
  return op;
}

/* The pass: what the worker thread owns ---------------------------------------------- */

struct _Pass
{
  gatomicrefcount  ref;

  /* immutable after creation */
  OpKind           kind;
  KaMode           enrol_kind;
  char            *enrol_code;
  GWeakRef         owner;
  GMainContext    *context;
  KaStore         *store;
  SoupSession     *session;
  GCancellable    *cancellable;
  char            *base_url;         /* ends with '/' */
  char            *device_id;
  char            *token_path;
  char            *pack_path;
  gboolean         auto_enrol;
  gboolean         fetch_pack;
  guint            batch_size;
  guint            timeout;
  double           time_scale;

  /* written by the worker, read on the owner context after the pass ended */
  KaSyncReport    *report;
  GError          *error;
  KaOutboxCounts   counts;
  gboolean         have_counts;
  gboolean         offline;
  gboolean         enrolled;
};

static Pass *
pass_ref (Pass *pass)
{
  g_atomic_ref_count_inc (&pass->ref);
  return pass;
}

static void
pass_unref (Pass *pass)
{
  if (!g_atomic_ref_count_dec (&pass->ref))
    return;

  g_weak_ref_clear (&pass->owner);
  g_main_context_unref (pass->context);
  g_clear_object (&pass->store);
  g_clear_object (&pass->session);
  g_clear_object (&pass->cancellable);
  if (pass->enrol_code != NULL)
    memset (pass->enrol_code, 0, strlen (pass->enrol_code));
  g_free (pass->enrol_code);
  g_free (pass->base_url);
  g_free (pass->device_id);
  g_free (pass->token_path);
  g_free (pass->pack_path);
  ka_sync_report_free (pass->report);
  g_clear_error (&pass->error);
  g_free (pass);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pass, pass_unref)

/* The owner, if it is still alive and not disposed; call only on the owner context. */
static KaSync *
pass_get_owner (Pass *pass)
{
  KaSync *self = g_weak_ref_get (&pass->owner);

  if (self != NULL && self->disposed)
    g_clear_object (&self);
  return self;
}

/* HTTP in the worker ------------------------------------------------------------------- */

typedef struct
{
  guint               status;
  SoupMessageHeaders *headers;
  GBytes             *body;
  char               *content_type;   /* media type without parameters, lowercase */
} Reply;

static void
reply_free (Reply *r)
{
  g_clear_pointer (&r->headers, soup_message_headers_unref);
  g_clear_pointer (&r->body, g_bytes_unref);
  g_free (r->content_type);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

static void
cancel_cb (GCancellable *cancellable,
           gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static gboolean
deadline_cb (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
  return G_SOURCE_REMOVE;
}

static gboolean
is_offline_error (const GError *error)
{
  return error->domain == G_RESOLVER_ERROR ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE);
}

/* Turns a transport failure into a KaSyncError (or passes cancellation on). */
static void
set_transport_error (Pass          *pass,
                     GError        *local_error,
                     const char    *what,
                     GError       **error)
{
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (g_cancellable_is_cancelled (pass->cancellable))
        g_propagate_error (error, g_error_copy (local_error));
      else
        g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_NETWORK,
                     "%s: no complete answer within %d s", what, REQUEST_DEADLINE_SECONDS);
      return;
    }

  if (local_error->domain == G_TLS_ERROR)
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_TLS,
                   "%s: secure connection failed: %s", what, local_error->message);
      return;
    }

  if (is_offline_error (local_error))
    pass->offline = TRUE;
  g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_NETWORK, "%s: %s", what,
               local_error->message);
}

/* One HTTP exchange, blocking. @path is relative to the base URL. Returns the status,
 * headers and at most @max_body bytes of body (more is an error), or NULL with @error. */
static Reply *
pass_request (Pass        *pass,
              const char  *method,
              const char  *path,
              const char  *token,
              GBytes      *json_body,
              const char  *if_none_match,
              gsize        max_body,
              GError     **error)
{
  g_autofree char *url = g_strconcat (pass->base_url, path, NULL);
  g_autofree char *what = g_strdup_printf ("%s %s", method, path);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GCancellable) request_cancellable = g_cancellable_new ();
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GByteArray) buffer = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(Reply) reply = NULL;
  g_autoptr(GSource) deadline = NULL;
  g_autoptr(GHashTable) params = NULL;
  SoupMessageHeaders *request_headers;
  const char *type;
  gulong handler;

  if (g_cancellable_set_error_if_cancelled (pass->cancellable, error))
    return NULL;

  msg = soup_message_new (method, url);
  if (msg == NULL)
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_INVALID_URL,
                   "cannot build a request for %s", url);
      return NULL;
    }

  /* A captive portal's redirect must never be followed (it could lead to plain HTTP). */
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  request_headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (request_headers, "Accept", "application/json");
  if (token != NULL)
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (request_headers, "Authorization", bearer);
      memset (bearer, 0, strlen (bearer));
    }
  if (if_none_match != NULL)
    soup_message_headers_replace (request_headers, "If-None-Match", if_none_match);
  if (json_body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/json", json_body);

  handler = g_cancellable_connect (pass->cancellable, G_CALLBACK (cancel_cb),
                                   g_object_ref (request_cancellable), g_object_unref);
  deadline = g_timeout_source_new_seconds (REQUEST_DEADLINE_SECONDS);
  g_source_set_callback (deadline, deadline_cb, g_object_ref (request_cancellable),
                         g_object_unref);
  g_source_attach (deadline, pass->context);

  if (pass->report != NULL)
    pass->report->requests++;

  stream = soup_session_send (pass->session, msg, request_cancellable, &local_error);
  if (stream != NULL)
    {
      buffer = g_byte_array_new ();
      for (;;)
        {
          g_autoptr(GBytes) chunk = g_input_stream_read_bytes (stream, 64 * 1024,
                                                               request_cancellable,
                                                               &local_error);
          gsize size;

          if (chunk == NULL)
            break;
          size = g_bytes_get_size (chunk);
          if (size == 0)
            break;
          if (buffer->len + size > max_body)
            {
              g_set_error (&local_error, KA_SYNC_ERROR, KA_SYNC_ERROR_BAD_RESPONSE,
                           "%s: the answer is larger than %" G_GSIZE_FORMAT " bytes", what,
                           max_body);
              break;
            }
          g_byte_array_append (buffer, g_bytes_get_data (chunk, NULL), size);
        }
      g_input_stream_close (stream, NULL, NULL);
    }

  g_source_destroy (deadline);
  g_cancellable_disconnect (pass->cancellable, handler);

  if (local_error != NULL)
    {
      if (local_error->domain == KA_SYNC_ERROR)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        set_transport_error (pass, local_error, what, error);
      return NULL;
    }

  reply = g_new0 (Reply, 1);
  reply->status = soup_message_get_status (msg);
  reply->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  reply->body = g_byte_array_free_to_bytes (g_steal_pointer (&buffer));
  type = soup_message_headers_get_content_type (reply->headers, &params);
  reply->content_type = type != NULL ? g_ascii_strdown (type, -1) : NULL;

  return g_steal_pointer (&reply);
}

static JsonNode *
parse_json_reply (Reply *reply)
{
  g_autoptr(JsonParser) parser = NULL;
  gsize size;
  const char *data;

  if (g_strcmp0 (reply->content_type, "application/json") != 0)
    return NULL;

  data = g_bytes_get_data (reply->body, &size);
  if (size == 0 || !g_utf8_validate (data, size, NULL))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) size, NULL))
    return NULL;

  return json_parser_steal_root (parser);
}

/* Turns an unexpected status into an error, following the table of protocol §6.4.
 * 429 and 503 record a valid Retry-After (clamped, scaled) in the report. */
static void
set_status_error (Pass        *pass,
                  Reply       *reply,
                  const char  *what,
                  GError     **error)
{
  g_autoptr(JsonNode) root = parse_json_reply (reply);
  const char *code = NULL;
  const char *message = NULL;
  g_autofree char *detail = NULL;
  guint status = reply->status;

  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonNode *err = json_object_get_member (json_node_get_object (root), "error");

      if (err != NULL && JSON_NODE_HOLDS_OBJECT (err))
        {
          JsonObject *o = json_node_get_object (err);
          JsonNode *c = json_object_get_member (o, "code");
          JsonNode *m = json_object_get_member (o, "message");

          if (c != NULL && JSON_NODE_HOLDS_VALUE (c) &&
              json_node_get_value_type (c) == G_TYPE_STRING)
            code = json_node_get_string (c);
          if (m != NULL && JSON_NODE_HOLDS_VALUE (m) &&
              json_node_get_value_type (m) == G_TYPE_STRING)
            message = json_node_get_string (m);
        }
    }

  if (code != NULL)
    detail = g_strdup_printf ("%u %s%s%s", status, code, message != NULL ? ": " : "",
                              message != NULL ? message : "");
  else
    detail = g_strdup_printf ("%u %s", status, soup_status_get_phrase (status));

  if (status == 429 || status == SOUP_STATUS_SERVICE_UNAVAILABLE)
    {
      gint64 delay_ms;

      if (ka_sync_parse_retry_after (soup_message_headers_get_one (reply->headers,
                                                                   "Retry-After"),
                                     NULL, &delay_ms))
        pass->report->retry_after_ms = (gint64) (delay_ms * pass->time_scale);
    }

  if (status == SOUP_STATUS_UNAUTHORIZED)
    g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_NOT_ENROLLED,
                 "%s: this device is not enrolled on this collector (%s)", what, detail);
  else if (status == 429)
    g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_RATE_LIMITED, "%s: %s", what, detail);
  else if (status >= 500 && status <= 599)
    g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_SERVER, "%s: %s", what, detail);
  else if (status >= 400 && status <= 499)
    g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_REFUSED, "%s: %s", what, detail);
  else if (SOUP_STATUS_IS_REDIRECTION (status))
    g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_BAD_RESPONSE,
                 "%s: redirected (%s) — is a captive portal in the way?", what, detail);
  else
    g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_BAD_RESPONSE,
                 "%s: unexpected answer %s (%s) — is a captive portal in the way?", what,
                 detail, reply->content_type != NULL ? reply->content_type : "no content type");
}

/* JSON helpers ------------------------------------------------------------------------- */

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
member_int (JsonObject *object,
            const char *name,
            gint64     *value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *value = json_node_get_int (node);
  return TRUE;
}

static gboolean
is_hex64 (const char *str)
{
  if (str == NULL || strlen (str) != 64)
    return FALSE;
  for (const char *p = str; *p != '\0'; p++)
    {
      if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
        return FALSE;
    }
  return TRUE;
}

static char *
json_quote (const char *text)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), text);

  return json_to_string (node, FALSE);
}

/* Token file --------------------------------------------------------------------------- */

static char *
read_token (const char  *path,
            GError     **error)
{
  g_autofree char *contents = NULL;
  GStatBuf st;

  if (path == NULL)
    return NULL;

  if (!g_file_get_contents (path, &contents, NULL, error))
    {
      if (error != NULL && g_error_matches (*error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_clear_error (error);
      return NULL;
    }

  /* Tighten a token file that someone made readable by others. */
  if (g_stat (path, &st) == 0 && (st.st_mode & 077) != 0)
    g_chmod (path, 0600);

  g_strstrip (contents);
  if (!is_hex64 (contents))
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_NOT_ENROLLED,
                   "the device token file %s is damaged; enrol the device again", path);
      return NULL;
    }

  return g_steal_pointer (&contents);
}

static gboolean
write_token (const char  *path,
             const char  *token,
             GError     **error)
{
  g_autofree char *line = g_strconcat (token, "\n", NULL);
  gboolean ok;

  /* Written to a new file created 0600, synced, then renamed over the old one: the token
   * is on disk before the device considers itself enrolled (protocol §5.1). */
  ok = g_file_set_contents_full (path, line, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, error);
  memset (line, 0, strlen (line));
  if (ok)
    g_chmod (path, 0600);
  return ok;
}

/* Progress reports to the owner -------------------------------------------------------- */

typedef struct
{
  Pass           *pass;
  KaOutboxCounts  counts;
  GStrv           delivered;
  GStrv           rejected;
} Progress;

static void
progress_free (Progress *progress)
{
  pass_unref (progress->pass);
  g_strfreev (progress->delivered);
  g_strfreev (progress->rejected);
  g_free (progress);
}

static void
set_counts (KaSync               *self,
            const KaOutboxCounts *counts)
{
  guint pending = (guint) MIN (counts->pending, G_MAXUINT);
  guint delivered = (guint) MIN (counts->delivered, G_MAXUINT);
  guint rejected = (guint) MIN (counts->rejected, G_MAXUINT);

  g_object_freeze_notify (G_OBJECT (self));
  if (pending != self->pending)
    {
      self->pending = pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
    }
  if (delivered != self->delivered)
    {
      self->delivered = delivered;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DELIVERED]);
    }
  if (rejected != self->rejected)
    {
      self->rejected = rejected;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REJECTED]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/* Runs @function in the owner's context, always from a source there. Not
 * g_main_context_invoke(): when the owner thread is between two iterations, that calls
 * @function at once on the calling (worker) thread, and the owner's signal handlers
 * (widgets) would run on the wrong thread. */
static void
invoke_on_owner (GMainContext   *context,
                 GSourceFunc     function,
                 gpointer        data,
                 GDestroyNotify  notify)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, function, data, notify);
  g_source_set_static_name (source, "[ka-sync] owner callback");
  g_source_attach (source, context);
}

static gboolean
progress_cb (gpointer user_data)
{
  Progress *progress = user_data;
  g_autoptr(KaSync) self = pass_get_owner (progress->pass);

  if (self == NULL)
    return G_SOURCE_REMOVE;

  set_counts (self, &progress->counts);
  if ((progress->delivered != NULL && progress->delivered[0] != NULL) ||
      (progress->rejected != NULL && progress->rejected[0] != NULL))
    g_signal_emit (self, signals[SIGNAL_BALLOTS_SETTLED], 0,
                   progress->delivered, progress->rejected);
  return G_SOURCE_REMOVE;
}

static void
post_progress (Pass      *pass,
               GPtrArray *delivered,
               GPtrArray *rejected)
{
  Progress *progress = g_new0 (Progress, 1);

  progress->pass = pass_ref (pass);
  progress->counts = pass->counts;
  if (delivered != NULL)
    {
      g_ptr_array_add (delivered, NULL);
      progress->delivered = (GStrv) g_ptr_array_free (delivered, FALSE);
    }
  if (rejected != NULL)
    {
      g_ptr_array_add (rejected, NULL);
      progress->rejected = (GStrv) g_ptr_array_free (rejected, FALSE);
    }
  invoke_on_owner (pass->context, progress_cb, progress, (GDestroyNotify) progress_free);
}

static gboolean
refresh_counts (Pass    *pass,
                GError **error)
{
  if (!ka_store_get_outbox_counts (pass->store, &pass->counts, error))
    return FALSE;
  pass->have_counts = TRUE;
  pass->report->pending = pass->counts.pending;
  return TRUE;
}

/* Enrolment (protocol §5.1) ------------------------------------------------------------ */

static gboolean
pass_enrol (Pass        *pass,
            KaMode       kind,
            const char  *code,
            GError     **error)
{
  g_autoptr(GString) body = g_string_new ("{\"kind\":");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(Reply) reply = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *quoted = NULL;
  JsonObject *object;
  const char *device_id;
  const char *token;
  const char *kind_name = ka_mode_to_string (kind);

  quoted = json_quote (kind_name);
  g_string_append (body, quoted);
  g_clear_pointer (&quoted, g_free);
  g_string_append (body, ",\"device_id\":");
  quoted = json_quote (pass->device_id);
  g_string_append (body, quoted);
  if (code != NULL && kind == KA_MODE_KIOSK)
    {
      g_autofree char *quoted_code = json_quote (code);

      g_string_append (body, ",\"enrolment_code\":");
      g_string_append (body, quoted_code);
      memset (quoted_code, 0, strlen (quoted_code));
    }
  g_string_append_c (body, '}');
  bytes = g_bytes_new (body->str, body->len);
  memset (body->str, 0, body->len);

  reply = pass_request (pass, "POST", "v1/devices", NULL, bytes, NULL, MAX_SMALL_BYTES, error);
  if (reply == NULL)
    return FALSE;

  if (reply->status != SOUP_STATUS_CREATED)
    {
      g_autoptr(GError) local_error = NULL;

      set_status_error (pass, reply, "enrolment", &local_error);
      if (reply->status == SOUP_STATUS_CONFLICT)
        g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_DEVICE_EXISTS,
                     "this device (%s) is already enrolled on this collector, but this "
                     "computer has no token for it; the organisers must release it (%s)",
                     pass->device_id, local_error->message);
      else if (reply->status == SOUP_STATUS_FORBIDDEN)
        g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_ENROLMENT_REFUSED, "%s",
                     local_error->message);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  root = parse_json_reply (reply);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_BAD_RESPONSE,
                   "enrolment: the collector's 201 carries no JSON object");
      return FALSE;
    }
  object = json_node_get_object (root);
  device_id = member_string (object, "device_id");
  token = member_string (object, "device_token");
  if (device_id == NULL || token == NULL || !is_hex64 (token))
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_BAD_RESPONSE,
                   "enrolment: the collector's answer lacks a device_id or a well-formed "
                   "device_token");
      return FALSE;
    }

  /* Ballots carry this store's device_id inside their hash: a collector that enrolled us
   * under another ID would reject every one of them as wrong_device. */
  if (strcmp (device_id, pass->device_id) != 0)
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_BAD_RESPONSE,
                   "enrolment: the collector assigned device ID %s instead of this store's %s",
                   device_id, pass->device_id);
      return FALSE;
    }

  if (pass->token_path == NULL || !write_token (pass->token_path, token, error))
    {
      if (pass->token_path == NULL)
        g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_NOT_ENROLLED,
                     "an in-memory store cannot keep a device token");
      else
        g_prefix_error (error, "enrolment succeeded but the token could not be saved: ");
      return FALSE;
    }

  if (!ka_store_set_meta (pass->store, META_ENROLLED_URL, pass->base_url, error) ||
      !ka_store_set_meta (pass->store, META_DEVICE_KIND, kind_name, error))
    return FALSE;

  pass->enrolled = TRUE;
  pass->report->enrolled = TRUE;
  g_message ("enrolled device %s as a %s on %s", pass->device_id, kind_name, pass->base_url);
  return TRUE;
}

/* Reconciling with the chain endpoint (protocol §7) ------------------------------------ */

static gboolean
check_server_chain (Pass        *pass,
                    gint64       count,
                    const char  *head,
                    GError     **error)
{
  g_autoptr(KaBallot) local = NULL;
  g_autoptr(GError) local_error = NULL;

  if (count == 0)
    {
      if (strcmp (head, KA_BALLOT_GENESIS_HASH) != 0)
        {
          g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_BAD_RESPONSE,
                       "the collector reports no ballot but a chain head %s", head);
          return FALSE;
        }
      return TRUE;
    }

  local = ka_store_get_ballot_by_seq (pass->store, pass->device_id, count, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (local == NULL)
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_DIVERGED,
                   "the collector holds %" G_GINT64_FORMAT " ballots of device %s, more than "
                   "this store ever cast; this needs the organisers", count, pass->device_id);
      return FALSE;
    }

  if (strcmp (local->hash, head) != 0)
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_DIVERGED,
                   "the collector's ballot %" G_GINT64_FORMAT " of device %s (hash %.12s…) "
                   "is not this store's (%.12s…): it holds a different history; this needs "
                   "the organisers", count, pass->device_id, head, local->hash);
      return FALSE;
    }

  return TRUE;
}

static gboolean
pass_reconcile (Pass        *pass,
                const char  *token,
                gint64      *requeued,
                GError     **error)
{
  g_autofree char *path = g_strdup_printf ("v1/devices/%s/chain", pass->device_id);
  g_autoptr(Reply) reply = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  const char *head;
  gint64 count;
  gint64 n;

  *requeued = 0;

  reply = pass_request (pass, "GET", path, token, NULL, NULL, MAX_SMALL_BYTES, error);
  if (reply == NULL)
    return FALSE;
  if (reply->status != SOUP_STATUS_OK)
    {
      set_status_error (pass, reply, "chain check", error);
      return FALSE;
    }

  root = parse_json_reply (reply);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_BAD_RESPONSE,
                   "chain check: the answer is not a JSON object (%s) — is a captive portal "
                   "in the way?", reply->content_type != NULL ? reply->content_type : "no type");
      return FALSE;
    }
  object = json_node_get_object (root);
  head = member_string (object, "head");
  if (!member_int (object, "count", &count) || count < 0 || !is_hex64 (head) ||
      g_strcmp0 (member_string (object, "device_id"), pass->device_id) != 0)
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_BAD_RESPONSE,
                   "chain check: the answer lacks this device's count and head");
      return FALSE;
    }

  pass->report->server_count = count;
  if (!check_server_chain (pass, count, head, error))
    return FALSE;

  /* The collector's chain is a prefix of ours: whatever we hold as delivered beyond it,
   * it lost (restored from an older backup). Send it again. */
  n = ka_store_requeue_delivered (pass->store, pass->device_id, count, error);
  if (n < 0)
    return FALSE;
  if (n > 0)
    g_message ("the collector holds only %" G_GINT64_FORMAT " ballots of this device; %"
               G_GINT64_FORMAT " delivered ballots will be sent again", count, n);
  pass->report->requeued += n;
  *requeued = n;
  return TRUE;
}

/* Uploading (protocol §5.3, §6) -------------------------------------------------------- */

typedef enum
{
  RESULT_ACCEPTED,
  RESULT_DUPLICATE,
  RESULT_REJECTED,
} ResultKind;

typedef struct
{
  gboolean    seen;
  ResultKind  kind;
  const char *code;       /* borrowed from the receipt's JSON */
  const char *message;
  const char *model_a;
  const char *model_b;
} BallotResult;

/* Reads a string-list member of the receipt into @results (ballot_id → index). */
static gboolean
read_id_list (JsonObject   *receipt,
              const char   *name,
              ResultKind    kind,
              GHashTable   *index,
              BallotResult *results,
              GError      **error)
{
  JsonNode *node = json_object_get_member (receipt, name);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_BAD_RESPONSE,
                   "receipt member '%s' is missing or not an array", name);
      return FALSE;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      const char *id = NULL;
      JsonObject *object = NULL;
      gpointer position;

      if (kind == RESULT_REJECTED)
        {
          if (!JSON_NODE_HOLDS_OBJECT (element))
            goto malformed;
          object = json_node_get_object (element);
          id = member_string (object, "ballot_id");
          if (member_string (object, "code") == NULL || member_string (object, "message") == NULL)
            goto malformed;
        }
      else if (JSON_NODE_HOLDS_VALUE (element) &&
               json_node_get_value_type (element) == G_TYPE_STRING)
        {
          id = json_node_get_string (element);
        }

      if (id == NULL)
        goto malformed;

      if (!g_hash_table_lookup_extended (index, id, NULL, &position))
        {
          g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_BAD_RESPONSE,
                       "the receipt names ballot %s, which was not in the batch", id);
          return FALSE;
        }
      if (results[GPOINTER_TO_UINT (position)].seen)
        {
          g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_BAD_RESPONSE,
                       "the receipt names ballot %s twice", id);
          return FALSE;
        }

      results[GPOINTER_TO_UINT (position)].seen = TRUE;
      results[GPOINTER_TO_UINT (position)].kind = kind;
      if (object != NULL)
        {
          results[GPOINTER_TO_UINT (position)].code = member_string (object, "code");
          results[GPOINTER_TO_UINT (position)].message = member_string (object, "message");
        }
      continue;

    malformed:
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_BAD_RESPONSE,
                   "receipt member '%s' has a malformed element %u", name, i);
      return FALSE;
    }

  return TRUE;
}

/* Checks a receipt against protocol §6.1 and fills @results (one per batch ballot). */
static gboolean
parse_receipt (Reply         *reply,
               GPtrArray     *batch,
               JsonNode     **root_out,
               BallotResult  *results,
               gint64        *count,
               const char   **chain_head,
               GError       **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  JsonNode *receipt_node;
  JsonNode *reveal_node;
  JsonObject *receipt;
  JsonObjectIter iter;
  const char *id;
  JsonNode *value;

  if (g_strcmp0 (reply->content_type, "application/json") != 0)
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_BAD_RESPONSE,
                   "the 201 answer is %s, not application/json",
                   reply->content_type != NULL ? reply->content_type : "untyped");
      return FALSE;
    }

  root = parse_json_reply (reply);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_BAD_RESPONSE,
                   "the 201 answer is not a JSON object (truncated?)");
      return FALSE;
    }

  receipt_node = json_object_get_member (json_node_get_object (root), "receipt");
  if (receipt_node == NULL || !JSON_NODE_HOLDS_OBJECT (receipt_node))
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_BAD_RESPONSE,
                   "the 201 answer has no 'receipt' object");
      return FALSE;
    }
  receipt = json_node_get_object (receipt_node);

  for (guint i = 0; i < batch->len; i++)
    {
      const KaBallot *b = g_ptr_array_index (batch, i);

      g_hash_table_insert (index, b->ballot_id, GUINT_TO_POINTER (i));
      memset (&results[i], 0, sizeof results[i]);
    }

  if (!read_id_list (receipt, "accepted", RESULT_ACCEPTED, index, results, error) ||
      !read_id_list (receipt, "duplicate", RESULT_DUPLICATE, index, results, error) ||
      !read_id_list (receipt, "rejected", RESULT_REJECTED, index, results, error))
    return FALSE;

  for (guint i = 0; i < batch->len; i++)
    {
      if (!results[i].seen)
        {
          g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_BAD_RESPONSE,
                       "the receipt does not mention ballot %s",
                       ((const KaBallot *) g_ptr_array_index (batch, i))->ballot_id);
          return FALSE;
        }
    }

  reveal_node = json_object_get_member (receipt, "reveal");
  if (reveal_node == NULL || !JSON_NODE_HOLDS_OBJECT (reveal_node))
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_BAD_RESPONSE,
                   "receipt member 'reveal' is missing or not an object");
      return FALSE;
    }
  json_object_iter_init (&iter, json_node_get_object (reveal_node));
  while (json_object_iter_next (&iter, &id, &value))
    {
      const char *model_a;
      const char *model_b;
      gpointer position;

      if (!JSON_NODE_HOLDS_OBJECT (value) ||
          (model_a = member_string (json_node_get_object (value), "model_a")) == NULL ||
          (model_b = member_string (json_node_get_object (value), "model_b")) == NULL)
        {
          g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_BAD_RESPONSE,
                       "the receipt's reveal of %s lacks model_a or model_b", id);
          return FALSE;
        }

      /* Names for a ballot that was not delivered are ignored, never stored. */
      if (g_hash_table_lookup_extended (index, id, NULL, &position) &&
          results[GPOINTER_TO_UINT (position)].kind != RESULT_REJECTED)
        {
          results[GPOINTER_TO_UINT (position)].model_a = model_a;
          results[GPOINTER_TO_UINT (position)].model_b = model_b;
        }
    }

  *chain_head = member_string (receipt, "chain_head");
  if (!is_hex64 (*chain_head) || !member_int (receipt, "count", count) || *count < 0)
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_BAD_RESPONSE,
                   "the receipt lacks a well-formed chain_head or count");
      return FALSE;
    }

  *root_out = g_steal_pointer (&root);
  return TRUE;
}

/* This ballot's part of the receipt, kept in the store's receipt column. */
static char *
ballot_receipt_json (const BallotResult *r,
                     const char         *server,
                     const char         *chain_head,
                     gint64              count)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "outcome");
  json_builder_add_string_value (builder, r->kind == RESULT_ACCEPTED ? "accepted"
                                          : r->kind == RESULT_DUPLICATE ? "duplicate"
                                          : "rejected");
  if (r->kind == RESULT_REJECTED)
    {
      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, r->code);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, r->message);
    }
  if (r->model_a != NULL)
    {
      json_builder_set_member_name (builder, "model_a");
      json_builder_add_string_value (builder, r->model_a);
      json_builder_set_member_name (builder, "model_b");
      json_builder_add_string_value (builder, r->model_b);
    }
  json_builder_set_member_name (builder, "collector");
  json_builder_add_string_value (builder, server);
  json_builder_set_member_name (builder, "chain_head");
  json_builder_add_string_value (builder, chain_head);
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, count);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static GBytes *
batch_body (const char *device_id,
            GPtrArray  *batch)
{
  g_autofree char *quoted = json_quote (device_id);
  GString *body = g_string_sized_new (batch->len * 800 + 64);

  g_string_append (body, "{\"device_id\":");
  g_string_append (body, quoted);
  g_string_append (body, ",\"ballots\":[");
  for (guint i = 0; i < batch->len; i++)
    {
      g_autofree char *canonical = ka_ballot_canonical_json (g_ptr_array_index (batch, i), TRUE);

      if (i > 0)
        g_string_append_c (body, ',');
      g_string_append (body, canonical);
    }
  g_string_append (body, "]}");

  return g_string_free_to_bytes (body);
}

/* Sends one batch and settles what its receipt says. @need_reconcile is set when a
 * chain_break may mean that the collector lost ballots; @progress when anything settled. */
static gboolean
pass_upload_batch (Pass        *pass,
                   const char  *token,
                   GPtrArray   *batch,
                   guint       *batch_size,
                   gboolean    *need_reconcile,
                   gboolean    *progress,
                   GError     **error)
{
  g_autoptr(GBytes) body = batch_body (pass->device_id, batch);
  g_autoptr(Reply) reply = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree BallotResult *results = g_new0 (BallotResult, batch->len);
  g_autoptr(GPtrArray) receipts = g_ptr_array_new_with_free_func (g_free);
  g_autofree KaDeliverySettlement *settlements = g_new0 (KaDeliverySettlement, batch->len);
  g_autoptr(GPtrArray) delivered_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) rejected_ids = g_ptr_array_new_with_free_func (g_free);
  const char *chain_head = NULL;
  gint64 blocked_from;
  gint64 count = 0;
  guint n_settle = 0;
  gint64 t_start = g_get_monotonic_time ();
  gint64 t_sent;
  gint64 t_parsed;
  gint64 t_settled;

  *need_reconcile = FALSE;
  *progress = FALSE;

  pass->report->sent += batch->len;
  reply = pass_request (pass, "POST", "v1/ballots", token, body, NULL, MAX_RECEIPT_BYTES, error);
  if (reply == NULL)
    return FALSE;
  t_sent = g_get_monotonic_time ();

  if (reply->status == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE && *batch_size > 1)
    {
      /* Split the batch (protocol §6.4); nothing of this request was stored. */
      *batch_size = MAX (1, *batch_size / 2);
      *progress = TRUE;
      return TRUE;
    }

  if (reply->status != SOUP_STATUS_CREATED)
    {
      set_status_error (pass, reply, "upload", error);
      return FALSE;
    }

  if (!parse_receipt (reply, batch, &root, results, &count, &chain_head, error))
    {
      g_prefix_error (error, "upload: ");
      return FALSE;
    }
  pass->report->batches++;
  pass->report->server_count = count;
  t_parsed = g_get_monotonic_time ();

  /* A chain_break after a quarantined ballot can never link: it is quarantined too
   * (protocol §6.2). Any other chain_break may mean that the collector lost earlier
   * ballots: leave it pending and reconcile (§7). */
  blocked_from = pass->counts.first_rejected_seq;
  for (guint i = 0; i < batch->len; i++)
    {
      const KaBallot *b = g_ptr_array_index (batch, i);
      BallotResult *r = &results[i];
      KaDeliverySettlement *s = &settlements[n_settle];
      char *receipt;

      if (r->kind == RESULT_REJECTED && g_strcmp0 (r->code, "chain_break") == 0 &&
          !(blocked_from > 0 && blocked_from < b->seq))
        {
          *need_reconcile = TRUE;
          continue;
        }

      receipt = ballot_receipt_json (r, pass->base_url, chain_head, count);
      g_ptr_array_add (receipts, receipt);
      s->ballot_id = b->ballot_id;
      s->receipt = receipt;
      s->reveal_model_a = r->model_a;
      s->reveal_model_b = r->model_b;
      n_settle++;

      switch (r->kind)
        {
        case RESULT_ACCEPTED:
        case RESULT_DUPLICATE:
          s->state = KA_DELIVERY_DELIVERED;
          g_ptr_array_add (delivered_ids, g_strdup (b->ballot_id));
          if (r->kind == RESULT_ACCEPTED)
            pass->report->accepted++;
          else
            pass->report->duplicate++;
          break;
        case RESULT_REJECTED:
        default:
          s->state = KA_DELIVERY_REJECTED;
          g_ptr_array_add (rejected_ids, g_strdup (b->ballot_id));
          pass->report->rejected++;
          g_ptr_array_add (pass->report->rejections,
                           rejection_new (b->ballot_id, r->code, r->message));
          g_message ("ballot %s (seq %" G_GINT64_FORMAT ") quarantined: the collector "
                     "rejected it as %s: %s", b->ballot_id, b->seq, r->code, r->message);
          if (blocked_from == 0 || b->seq < blocked_from)
            blocked_from = b->seq;
          break;
        }
    }

  if (n_settle > 0)
    {
      if (!ka_store_settle_deliveries (pass->store, settlements, n_settle, NULL, error))
        return FALSE;
      *progress = TRUE;
    }

  t_settled = g_get_monotonic_time ();
  if (!refresh_counts (pass, error))
    return FALSE;
  post_progress (pass, g_steal_pointer (&delivered_ids), g_steal_pointer (&rejected_ids));
  g_debug ("batch of %u: request %.1f ms, receipt %.1f ms, settle %.1f ms, count %.1f ms",
           batch->len, (t_sent - t_start) / 1000.0, (t_parsed - t_sent) / 1000.0,
           (t_settled - t_parsed) / 1000.0, (g_get_monotonic_time () - t_settled) / 1000.0);

  /* The receipt's chain must be a prefix of ours (protocol §6.3). */
  if (!check_server_chain (pass, count, chain_head, error))
    return FALSE;

  return TRUE;
}

/* Packs (protocol §5.2) ---------------------------------------------------------------- */

static char *
etag_value (const char *etag)
{
  const char *start = etag;
  gsize len;

  if (etag == NULL)
    return NULL;
  if (g_str_has_prefix (start, "W/"))
    start += 2;
  len = strlen (start);
  if (len < 2 || start[0] != '"' || start[len - 1] != '"')
    return NULL;
  return g_strndup (start + 1, len - 2);
}

static gboolean
pass_fetch_pack (Pass        *pass,
                 const char  *token,
                 GError     **error)
{
  g_autofree char *known = ka_store_get_meta (pass->store, META_PACK_ETAG);
  g_autoptr(Reply) reply = NULL;
  g_autoptr(KaPack) pack = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *value = NULL;
  g_autofree char *sum = NULL;
  const char *etag;
  gsize size;
  const char *data;

  /* Without the saved pack an ETag is worthless: ask for the whole pack again. */
  if (known != NULL && (pass->pack_path == NULL || !g_file_test (pass->pack_path,
                                                                 G_FILE_TEST_IS_REGULAR)))
    g_clear_pointer (&known, g_free);

  reply = pass_request (pass, "GET", "v1/packs/current", token, NULL, known, MAX_PACK_BYTES,
                        error);
  if (reply == NULL)
    return FALSE;

  if (reply->status == SOUP_STATUS_NOT_MODIFIED)
    return TRUE;

  if (reply->status == SOUP_STATUS_NOT_FOUND)
    {
      g_autoptr(JsonNode) root = parse_json_reply (reply);

      /* no_pack: the collector serves none; keep the pack we have. */
      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        {
          JsonNode *err = json_object_get_member (json_node_get_object (root), "error");

          if (err != NULL && JSON_NODE_HOLDS_OBJECT (err) &&
              g_strcmp0 (member_string (json_node_get_object (err), "code"), "no_pack") == 0)
            return TRUE;
        }
    }

  if (reply->status != SOUP_STATUS_OK)
    {
      set_status_error (pass, reply, "pack download", error);
      return FALSE;
    }

  data = g_bytes_get_data (reply->body, &size);
  etag = soup_message_headers_get_one (reply->headers, "ETag");
  value = etag_value (etag);
  sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, size);
  if (g_strcmp0 (reply->content_type, "application/json") != 0 || value == NULL ||
      strcmp (value, sum) != 0)
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_BAD_RESPONSE,
                   "pack download: the answer is not a JSON pack whose SHA-256 equals its "
                   "ETag — is a captive portal in the way?");
      return FALSE;
    }

  pack = ka_pack_new_from_bytes (reply->body, &local_error);
  if (pack == NULL)
    {
      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_BAD_RESPONSE,
                   "pack download: the collector's pack is invalid: %s", local_error->message);
      return FALSE;
    }

  if (pass->pack_path != NULL &&
      !g_file_set_contents_full (pass->pack_path, data, (gssize) size,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0644, error))
    {
      g_prefix_error (error, "pack download: cannot save the pack: ");
      return FALSE;
    }

  if (!ka_store_set_meta (pass->store, META_PACK_ETAG, etag, error))
    return FALSE;

  pass->report->pack = g_bytes_ref (reply->body);
  pass->report->pack_etag = g_strdup (etag);
  g_message ("downloaded pack %s (%" G_GSIZE_FORMAT " bytes)", ka_pack_get_id (pack), size);
  return TRUE;
}

/* One run (enrol if needed, reconcile, upload, pack) ----------------------------------- */

static gboolean
pass_run (Pass    *pass,
          GError **error)
{
  g_autofree char *token = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *now = NULL;
  guint batch_size = pass->batch_size;
  guint reconciles = 0;
  gint64 requeued;

  if (!ka_sync_check_server_url (pass->base_url, error) || !refresh_counts (pass, error))
    return FALSE;

  token = read_token (pass->token_path, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (token == NULL)
    {
      if (!pass->auto_enrol)
        {
          g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_NOT_ENROLLED,
                       "this device is not enrolled; a kiosk needs the organisers' "
                       "enrolment code");
          return FALSE;
        }
      if (!pass_enrol (pass, KA_MODE_CITIZEN, NULL, error))
        return FALSE;
      token = read_token (pass->token_path, error);
      if (token == NULL)
        return FALSE;
    }

  if (!pass_reconcile (pass, token, &requeued, error) || !refresh_counts (pass, error))
    return FALSE;

  for (;;)
    {
      g_autoptr(GPtrArray) batch = NULL;
      gboolean need_reconcile;
      gboolean progress;

      if (g_cancellable_set_error_if_cancelled (pass->cancellable, error))
        return FALSE;

      batch = ka_store_list_pending (pass->store, batch_size, error);
      if (batch == NULL)
        return FALSE;
      if (batch->len == 0)
        break;

      if (!pass_upload_batch (pass, token, batch, &batch_size, &need_reconcile, &progress,
                              error))
        return FALSE;

      if (need_reconcile)
        {
          if (++reconciles > MAX_RECONCILES_PER_RUN)
            {
              g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_DIVERGED,
                           "the collector keeps refusing ballots as chain_break although its "
                           "chain is a prefix of this store's");
              return FALSE;
            }
          if (!pass_reconcile (pass, token, &requeued, error) || !refresh_counts (pass, error))
            return FALSE;
          progress = progress || requeued > 0;
        }

      if (!progress)
        {
          g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_DIVERGED,
                       "the collector settled none of %u ballots; stopping this run",
                       batch->len);
          return FALSE;
        }
    }

  if (pass->fetch_pack && !pass_fetch_pack (pass, token, error))
    return FALSE;

  now = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC);
  if (!ka_store_set_meta (pass->store, META_LAST_SYNC, now, error))
    return FALSE;

  return TRUE;
}

static gboolean pass_done_cb (gpointer user_data);

static gpointer
pass_thread (gpointer user_data)
{
  Pass *pass = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) count_error = NULL;
  gboolean ok;

  if (pass->kind == OP_ENROL)
    ok = ka_sync_check_server_url (pass->base_url, &error) &&
         pass_enrol (pass, pass->enrol_kind, pass->enrol_code, &error);
  else
    ok = pass_run (pass, &error);

  if (!ok)
    pass->error = g_steal_pointer (&error);

  /* Final counts for the properties, also after a failure. */
  if (!refresh_counts (pass, &count_error))
    g_debug ("could not count the outbox: %s", count_error->message);

  invoke_on_owner (pass->context, pass_done_cb, pass, (GDestroyNotify) pass_unref);
  return NULL;
}

/* The owner side ----------------------------------------------------------------------- */

static char *
make_base_url (const char *url)
{
  if (url == NULL)
    return NULL;
  if (g_str_has_suffix (url, "/"))
    return g_strdup (url);
  return g_strconcat (url, "/", NULL);
}

static char *
sibling_path (KaStore    *store,
              const char *suffix)
{
  const char *path = ka_store_get_path (store);

  if (path == NULL || path[0] == '\0' || strcmp (path, ":memory:") == 0)
    return NULL;
  return g_strconcat (path, suffix, NULL);
}

static void
set_last_error (KaSync       *self,
                const GError *error)
{
  const char *message = error != NULL ? error->message : NULL;

  /* The code is kept with the message, for words the app can translate. */
  self->last_error_code = error != NULL && error->domain == KA_SYNC_ERROR ? error->code : -1;
  if (g_strcmp0 (self->last_error, message) == 0)
    return;
  g_free (self->last_error);
  self->last_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

static void
set_enrolled (KaSync   *self,
              gboolean  enrolled)
{
  if (self->enrolled == enrolled)
    return;
  self->enrolled = enrolled;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENROLLED]);
}

static void
set_next_sync (KaSync *self,
               gint64  next_sync)
{
  if (self->next_sync == next_sync)
    return;
  self->next_sync = next_sync;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_SYNC]);
}

static gboolean
token_file_exists (KaSync *self)
{
  g_autofree char *path = ka_sync_get_token_path (self);

  return path != NULL && g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static gboolean
network_available (KaSync *self)
{
  return self->monitor == NULL || g_network_monitor_get_network_available (self->monitor);
}

static void
update_state (KaSync *self)
{
  KaSyncState state;

  if (self->current_pass != NULL)
    state = KA_SYNC_STATE_SYNCING;
  else if (self->server_url == NULL || self->server_url[0] == '\0' ||
           self->outcome == OUTCOME_NOT_ENROLLED ||
           (!self->enrolled && !self->auto_enrol))
    state = KA_SYNC_STATE_NOT_ENROLLED;
  else if ((self->started && !network_available (self)) || self->outcome == OUTCOME_OFFLINE)
    state = KA_SYNC_STATE_OFFLINE;
  else if (self->outcome == OUTCOME_ERROR)
    state = KA_SYNC_STATE_ERROR;
  else
    state = KA_SYNC_STATE_IDLE;

  if (state == self->state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static Pass *
pass_new (KaSync *self,
          Op     *op)
{
  Pass *pass = g_new0 (Pass, 1);

  g_atomic_ref_count_init (&pass->ref);
  pass->kind = op->kind;
  pass->enrol_kind = op->enrol_kind;
  pass->enrol_code = g_strdup (op->enrol_code);
  g_weak_ref_init (&pass->owner, self);
  pass->context = g_main_context_ref (self->context);
  pass->store = g_object_ref (self->store);
  pass->session = g_object_ref (self->session);
  pass->cancellable = g_cancellable_new ();
  pass->base_url = make_base_url (self->server_url);
  pass->device_id = g_strdup (ka_store_get_device_id (self->store));
  pass->token_path = ka_sync_get_token_path (self);
  pass->pack_path = ka_sync_get_pack_path (self);
  pass->auto_enrol = self->auto_enrol;
  pass->fetch_pack = self->fetch_pack;
  pass->batch_size = self->batch_size;
  pass->timeout = self->timeout;
  pass->time_scale = self->time_scale;
  pass->report = report_new ();
  return pass;
}

static void
user_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  /* user_data is the pass's own cancellable (kept alive by the connection). */
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void
start_next_op (KaSync *self)
{
  g_autoptr(GThread) thread = NULL;
  Op *op;

  if (self->current_op != NULL || self->disposed)
    return;

  op = g_queue_pop_head (&self->ops);
  if (op == NULL)
    return;

  self->current_op = op;
  self->current_pass = pass_new (self, op);

  /* A caller's cancellable cancels the pass it waits for. */
  for (guint i = 0; i < op->tasks->len; i++)
    {
      GCancellable *c = g_task_get_cancellable (g_ptr_array_index (op->tasks, i));
      gulong id;

      if (c == NULL)
        continue;
      id = g_cancellable_connect (c, G_CALLBACK (user_cancelled_cb),
                                  g_object_ref (self->current_pass->cancellable),
                                  g_object_unref);
      g_ptr_array_add (op->cancellables, g_object_ref (c));
      g_array_append_val (op->handler_ids, id);
    }

  g_clear_handle_id (&self->timer_id, g_source_remove);
  set_next_sync (self, 0);
  update_state (self);

  thread = g_thread_new ("ka-sync", pass_thread, pass_ref (self->current_pass));
}

static void
complete_op (Op     *op,
             GError *error)
{
  for (guint i = 0; i < op->tasks->len; i++)
    {
      GTask *task = g_ptr_array_index (op->tasks, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

static gboolean
timer_cb (gpointer user_data)
{
  KaSync *self = user_data;

  self->timer_id = 0;
  set_next_sync (self, 0);
  if (self->started && network_available (self))
    ka_sync_request_sync (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_in (KaSync *self,
             gint64  delay_ms)
{
  g_autoptr(GSource) source = NULL;

  g_clear_handle_id (&self->timer_id, g_source_remove);
  delay_ms = CLAMP (delay_ms, 0, (gint64) G_MAXUINT);
  source = g_timeout_source_new ((guint) delay_ms);
  g_source_set_callback (source, timer_cb, self, NULL);
  g_source_set_name (source, "[ka-sync] next sync");
  self->timer_id = g_source_attach (source, self->context);
  set_next_sync (self, g_get_real_time () / G_USEC_PER_SEC + delay_ms / 1000);
}

/* After an operation: when should the background loop try again? */
static void
schedule_next (KaSync *self)
{
  gint64 delay_ms;

  if (!self->started || self->disposed || self->current_op != NULL)
    return;

  if (!network_available (self))
    {
      g_clear_handle_id (&self->timer_id, g_source_remove);
      set_next_sync (self, 0);
      return;
    }

  /* Nothing to do until a person acts (enrol, change the URL). */
  if (self->state == KA_SYNC_STATE_NOT_ENROLLED)
    return;

  if (self->failures == 0)
    delay_ms = self->rerun ? 0 : (gint64) (self->interval * 1000.0 * self->time_scale);
  else if (self->last_report != NULL && self->last_report->retry_after_ms >= 0)
    delay_ms = self->last_report->retry_after_ms;
  else
    delay_ms = ka_sync_backoff_delay (self->rand, self->failures,
                                      (gint64) (KA_SYNC_BACKOFF_BASE_MS * self->time_scale),
                                      (gint64) (KA_SYNC_BACKOFF_CAP_MS * self->time_scale));
  self->rerun = FALSE;
  schedule_in (self, delay_ms);
}

static gboolean
pass_done_cb (gpointer user_data)
{
  Pass *pass = user_data;
  g_autoptr(KaSync) self = pass_get_owner (pass);
  Op *op;

  if (self == NULL || self->current_pass != pass)
    return G_SOURCE_REMOVE;

  op = self->current_op;
  self->current_op = NULL;
  g_clear_pointer (&self->current_pass, pass_unref);

  g_object_freeze_notify (G_OBJECT (self));

  if (pass->have_counts)
    set_counts (self, &pass->counts);
  set_enrolled (self, token_file_exists (self));

  ka_sync_report_free (self->last_report);
  self->last_report = ka_sync_report_copy (pass->report);

  if (pass->error == NULL)
    {
      if (op->kind == OP_RUN)
        {
          self->last_sync = g_get_real_time () / G_USEC_PER_SEC;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNC]);
        }
      self->failures = 0;
      self->outcome = OUTCOME_OK;
      set_last_error (self, NULL);
    }
  else if (g_error_matches (pass->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Stopped: neither a failure nor a success. */
    }
  else
    {
      Outcome outcome;

      if (g_error_matches (pass->error, KA_SYNC_ERROR, KA_SYNC_ERROR_NOT_ENROLLED) ||
          g_error_matches (pass->error, KA_SYNC_ERROR, KA_SYNC_ERROR_INVALID_URL) ||
          g_error_matches (pass->error, KA_SYNC_ERROR, KA_SYNC_ERROR_INSECURE_URL) ||
          g_error_matches (pass->error, KA_SYNC_ERROR, KA_SYNC_ERROR_DEVICE_EXISTS) ||
          g_error_matches (pass->error, KA_SYNC_ERROR, KA_SYNC_ERROR_ENROLMENT_REFUSED))
        outcome = OUTCOME_NOT_ENROLLED;
      else if (pass->offline)
        outcome = OUTCOME_OFFLINE;
      else
        outcome = OUTCOME_ERROR;

      /* A failed enrolment says nothing about a device that holds a token already (only
       * a bad URL does): the state of its last sync stands. */
      if (op->kind != OP_ENROL || !self->enrolled ||
          g_error_matches (pass->error, KA_SYNC_ERROR, KA_SYNC_ERROR_INVALID_URL) ||
          g_error_matches (pass->error, KA_SYNC_ERROR, KA_SYNC_ERROR_INSECURE_URL))
        self->outcome = outcome;

      self->failures++;
      set_last_error (self, pass->error);
      g_debug ("sync failed (%u in a row): %s", self->failures, pass->error->message);
    }

  update_state (self);
  g_object_thaw_notify (G_OBJECT (self));

  if (pass->report->pack != NULL)
    g_signal_emit (self, signals[SIGNAL_PACK_UPDATED], 0, pass->report->pack,
                   pass->report->pack_etag);

  complete_op (op, pass->error);
  op_free (op);

  if (!g_queue_is_empty (&self->ops))
    start_next_op (self);
  else
    schedule_next (self);

  return G_SOURCE_REMOVE;
}

static void
enqueue (KaSync *self,
         Op     *op)
{
  g_queue_push_tail (&self->ops, op);
  start_next_op (self);
}

/* A run request joins a queued run if there is one (runs coalesce). */
static void
enqueue_run (KaSync *self,
             GTask  *task)
{
  for (GList *l = self->ops.head; l != NULL; l = l->next)
    {
      Op *op = l->data;

      if (op->kind == OP_RUN)
        {
          if (task != NULL)
            g_ptr_array_add (op->tasks, task);
          return;
        }
    }

  {
    Op *op = op_new (OP_RUN);

    if (task != NULL)
      g_ptr_array_add (op->tasks, task);
    enqueue (self, op);
  }
}

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  KaSync *self = user_data;
  gboolean was_up = self->network_up;

  self->network_up = available;
  update_state (self);
  if (!self->started)
    return;

  if (!available)
    {
      /* Nothing to try until the network returns; a running pass fails on its own. */
      g_clear_handle_id (&self->timer_id, g_source_remove);
      set_next_sync (self, 0);
      return;
    }

  /* The network came back: try now rather than at the end of a long backoff. (Only on
   * the transition: the monitor also signals every route change.) */
  if (!was_up && self->current_op == NULL && self->outcome != OUTCOME_NOT_ENROLLED)
    {
      self->failures = 0;
      schedule_in (self, 0);
    }
}

/* GObject ------------------------------------------------------------------------------ */

static void
ka_sync_constructed (GObject *object)
{
  KaSync *self = KA_SYNC (object);
  g_autofree char *last_sync = NULL;
  g_autoptr(GError) error = NULL;
  KaOutboxCounts counts;

  G_OBJECT_CLASS (ka_sync_parent_class)->constructed (object);

  g_assert (self->store != NULL);

  self->session = soup_session_new_with_options ("timeout", self->timeout,
                                                 "idle-timeout", IDLE_TIMEOUT_SECONDS,
                                                 "user-agent", "kai-arena/" PACKAGE_VERSION " ",
                                                 NULL);
  self->rand = self->jitter_seed != 0 ? g_rand_new_with_seed (self->jitter_seed) : g_rand_new ();
  if (self->monitor == NULL)
    self->monitor = g_object_ref (g_network_monitor_get_default ());

  last_sync = ka_store_get_meta (self->store, META_LAST_SYNC);
  if (last_sync != NULL)
    self->last_sync = g_ascii_strtoll (last_sync, NULL, 10);

  if (ka_store_get_outbox_counts (self->store, &counts, &error))
    {
      self->pending = (guint) MIN (counts.pending, G_MAXUINT);
      self->delivered = (guint) MIN (counts.delivered, G_MAXUINT);
      self->rejected = (guint) MIN (counts.rejected, G_MAXUINT);
    }
  else
    {
      g_warning ("Could not count the outbox: %s", error->message);
    }

  self->enrolled = token_file_exists (self);
  self->state = KA_SYNC_STATE_IDLE;
  update_state (self);
}

static void
cancel_all (KaSync *self)
{
  Op *op;

  if (self->current_pass != NULL)
    g_cancellable_cancel (self->current_pass->cancellable);

  while ((op = g_queue_pop_head (&self->ops)) != NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     "sync stopped");

      complete_op (op, error);
      op_free (op);
    }
}

static void
ka_sync_dispose (GObject *object)
{
  KaSync *self = KA_SYNC (object);

  /* The worker holds its own references to the store and the session and talks back only
   * through a weak reference: cancel it and let it finish on its own. */
  self->disposed = TRUE;
  self->started = FALSE;
  cancel_all (self);
  if (self->current_op != NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     "sync stopped");

      complete_op (self->current_op, error);
      g_clear_pointer (&self->current_op, op_free);
    }
  g_clear_pointer (&self->current_pass, pass_unref);

  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_signal_handler (&self->network_changed_id, self->monitor);
  g_clear_object (&self->monitor);
  g_clear_object (&self->session);
  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ka_sync_parent_class)->dispose (object);
}

static void
ka_sync_finalize (GObject *object)
{
  KaSync *self = KA_SYNC (object);

  g_free (self->server_url);
  g_free (self->last_error);
  ka_sync_report_free (self->last_report);
  g_clear_pointer (&self->rand, g_rand_free);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (ka_sync_parent_class)->finalize (object);
}

static void
ka_sync_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  KaSync *self = KA_SYNC (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_PENDING:
      g_value_set_uint (value, self->pending);
      break;
    case PROP_DELIVERED:
      g_value_set_uint (value, self->delivered);
      break;
    case PROP_REJECTED:
      g_value_set_uint (value, self->rejected);
      break;
    case PROP_LAST_SYNC:
      g_value_set_int64 (value, self->last_sync);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    case PROP_ENROLLED:
      g_value_set_boolean (value, self->enrolled);
      break;
    case PROP_NEXT_SYNC:
      g_value_set_int64 (value, self->next_sync);
      break;
    case PROP_AUTO_ENROL:
      g_value_set_boolean (value, self->auto_enrol);
      break;
    case PROP_FETCH_PACK:
      g_value_set_boolean (value, self->fetch_pack);
      break;
    case PROP_BATCH_SIZE:
      g_value_set_uint (value, self->batch_size);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    case PROP_NETWORK_MONITOR:
      g_value_set_object (value, self->monitor);
      break;
    case PROP_JITTER_SEED:
      g_value_set_uint (value, self->jitter_seed);
      break;
    case PROP_TIME_SCALE:
      g_value_set_double (value, self->time_scale);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_sync_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  KaSync *self = KA_SYNC (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_SERVER_URL:
      ka_sync_set_server_url (self, g_value_get_string (value));
      break;
    case PROP_AUTO_ENROL:
      if (self->auto_enrol != g_value_get_boolean (value))
        {
          self->auto_enrol = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
          if (self->session != NULL)
            update_state (self);
        }
      break;
    case PROP_FETCH_PACK:
      if (self->fetch_pack != g_value_get_boolean (value))
        {
          self->fetch_pack = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_BATCH_SIZE:
      if (self->batch_size != g_value_get_uint (value))
        {
          self->batch_size = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_INTERVAL:
      if (self->interval != g_value_get_uint (value))
        {
          self->interval = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_TIMEOUT:
      self->timeout = g_value_get_uint (value);
      break;
    case PROP_NETWORK_MONITOR:
      self->monitor = g_value_dup_object (value);
      break;
    case PROP_JITTER_SEED:
      self->jitter_seed = g_value_get_uint (value);
      break;
    case PROP_TIME_SCALE:
      if (self->time_scale != g_value_get_double (value))
        {
          self->time_scale = g_value_get_double (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_sync_class_init (KaSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = ka_sync_constructed;
  object_class->dispose = ka_sync_dispose;
  object_class->finalize = ka_sync_finalize;
  object_class->get_property = ka_sync_get_property;
  object_class->set_property = ka_sync_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, KA_TYPE_STORE, co);
  properties[PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL, NULL, rw);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, KA_TYPE_SYNC_STATE, KA_SYNC_STATE_IDLE, ro);
  properties[PROP_PENDING] =
    g_param_spec_uint ("pending", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_DELIVERED] =
    g_param_spec_uint ("delivered", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_REJECTED] =
    g_param_spec_uint ("rejected", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_LAST_SYNC] =
    g_param_spec_int64 ("last-sync", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL, ro);
  properties[PROP_ENROLLED] =
    g_param_spec_boolean ("enrolled", NULL, NULL, FALSE, ro);
  properties[PROP_NEXT_SYNC] =
    g_param_spec_int64 ("next-sync", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_AUTO_ENROL] =
    g_param_spec_boolean ("auto-enrol", NULL, NULL, TRUE, rw | G_PARAM_CONSTRUCT);
  properties[PROP_FETCH_PACK] =
    g_param_spec_boolean ("fetch-pack", NULL, NULL, TRUE, rw | G_PARAM_CONSTRUCT);
  properties[PROP_BATCH_SIZE] =
    g_param_spec_uint ("batch-size", NULL, NULL, 1, KA_SYNC_MAX_BATCH, KA_SYNC_MAX_BATCH,
                       rw | G_PARAM_CONSTRUCT);
  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 1, 7 * 24 * 3600, DEFAULT_INTERVAL_SECONDS,
                       rw | G_PARAM_CONSTRUCT);
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 1, 3600, DEFAULT_TIMEOUT_SECONDS, co);
  properties[PROP_NETWORK_MONITOR] =
    g_param_spec_object ("network-monitor", NULL, NULL, G_TYPE_NETWORK_MONITOR, co);
  properties[PROP_JITTER_SEED] =
    g_param_spec_uint ("jitter-seed", NULL, NULL, 0, G_MAXUINT, 0, co);
  properties[PROP_TIME_SCALE] =
    g_param_spec_double ("time-scale", NULL, NULL, 1e-6, 1.0, 1.0, rw | G_PARAM_CONSTRUCT);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * KaSync::ballots-settled:
   * @self: the #KaSync
   * @delivered: (array zero-terminated=1): IDs of ballots now delivered
   * @rejected: (array zero-terminated=1) (nullable): IDs of ballots now quarantined
   *
   * Emitted on the owner context after each receipt was stored, e.g. so that a battle
   * view can show the names revealed for a sealed pack (ka_store_get_reveal()).
   */
  signals[SIGNAL_BALLOTS_SETTLED] =
    g_signal_new ("ballots-settled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRV, G_TYPE_STRV);

  /**
   * KaSync::pack-updated:
   * @self: the #KaSync
   * @pack: the new pack's bytes (validated; also saved at ka_sync_get_pack_path())
   * @etag: its ETag
   *
   * Emitted on the owner context when a run downloaded a pack the device did not have.
   */
  signals[SIGNAL_PACK_UPDATED] =
    g_signal_new ("pack-updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_BYTES, G_TYPE_STRING);
}

static void
ka_sync_init (KaSync *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->timeout = DEFAULT_TIMEOUT_SECONDS;
  self->batch_size = KA_SYNC_MAX_BATCH;
  self->interval = DEFAULT_INTERVAL_SECONDS;
  self->time_scale = 1.0;
  self->auto_enrol = TRUE;
  self->fetch_pack = TRUE;
  self->last_error_code = -1;
  g_queue_init (&self->ops);
}

/* Public API --------------------------------------------------------------------------- */

/**
 * ka_sync_new:
 * @store: the device's store (its outbox and device ID)
 * @server_url: (nullable): the collector's base URL, e.g. `https://collector.example/`
 *
 * Creates the sync client of @store. It does nothing until ka_sync_run_async(),
 * ka_sync_enrol_async() or ka_sync_start() is called. The device token is kept in
 * ka_sync_get_token_path(), next to the store, readable only by the user.
 *
 * Returns: (transfer full): a new #KaSync
 */
KaSync *
ka_sync_new (KaStore    *store,
             const char *server_url)
{
  g_return_val_if_fail (KA_IS_STORE (store), NULL);

  return g_object_new (KA_TYPE_SYNC, "store", store, "server-url", server_url, NULL);
}

/**
 * ka_sync_get_store:
 * @self: a #KaSync
 *
 * Returns: (transfer none): the store
 */
KaStore *
ka_sync_get_store (KaSync *self)
{
  g_return_val_if_fail (KA_IS_SYNC (self), NULL);

  return self->store;
}

/**
 * ka_sync_get_server_url:
 * @self: a #KaSync
 *
 * Returns: (transfer none) (nullable): the collector's base URL
 */
const char *
ka_sync_get_server_url (KaSync *self)
{
  g_return_val_if_fail (KA_IS_SYNC (self), NULL);

  return self->server_url;
}

/**
 * ka_sync_set_server_url:
 * @self: a #KaSync
 * @server_url: (nullable): the collector's base URL
 *
 * Changes the collector. A running pass finishes with the old URL; the backoff starts
 * afresh and, if the background loop runs, a sync is attempted soon. The device token is
 * not changed: enrol again (ka_sync_enrol_async()) if the new collector does not know
 * this device.
 */
void
ka_sync_set_server_url (KaSync     *self,
                        const char *server_url)
{
  g_return_if_fail (KA_IS_SYNC (self));

  if (g_strcmp0 (self->server_url, server_url) == 0)
    return;

  g_free (self->server_url);
  self->server_url = g_strdup (server_url);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_URL]);

  /* During construction the rest is not set up yet. */
  if (self->store == NULL || self->session == NULL)
    return;

  self->failures = 0;
  self->outcome = OUTCOME_OK;
  set_last_error (self, NULL);
  update_state (self);
  if (self->started)
    ka_sync_request_sync (self);
}

/**
 * ka_sync_get_state:
 * @self: a #KaSync
 *
 * Returns: what the sync is doing, for the header-bar indicator
 */
KaSyncState
ka_sync_get_state (KaSync *self)
{
  g_return_val_if_fail (KA_IS_SYNC (self), KA_SYNC_STATE_IDLE);

  return self->state;
}

/**
 * ka_sync_get_pending:
 * @self: a #KaSync
 *
 * Returns: ballots waiting to be delivered, as last counted (after each receipt, each
 *   run, and ka_sync_refresh_counts())
 */
guint
ka_sync_get_pending (KaSync *self)
{
  g_return_val_if_fail (KA_IS_SYNC (self), 0);

  return self->pending;
}

/**
 * ka_sync_get_delivered:
 * @self: a #KaSync
 *
 * Returns: ballots delivered, as last counted
 */
guint
ka_sync_get_delivered (KaSync *self)
{
  g_return_val_if_fail (KA_IS_SYNC (self), 0);

  return self->delivered;
}

/**
 * ka_sync_get_rejected:
 * @self: a #KaSync
 *
 * Returns: ballots quarantined because the collector rejected them, as last counted
 */
guint
ka_sync_get_rejected (KaSync *self)
{
  g_return_val_if_fail (KA_IS_SYNC (self), 0);

  return self->rejected;
}

/**
 * ka_sync_get_last_sync:
 * @self: a #KaSync
 *
 * Returns: Unix time in seconds of the last successful run (kept in the store across
 *   restarts), or 0 if none
 */
gint64
ka_sync_get_last_sync (KaSync *self)
{
  g_return_val_if_fail (KA_IS_SYNC (self), 0);

  return self->last_sync;
}

/**
 * ka_sync_get_next_sync:
 * @self: a #KaSync
 *
 * Returns: Unix time in seconds of the background loop's next attempt, or 0 if none is
 *   scheduled (stopped, offline, not enrolled, or a run in progress)
 */
gint64
ka_sync_get_next_sync (KaSync *self)
{
  g_return_val_if_fail (KA_IS_SYNC (self), 0);

  return self->next_sync;
}

/**
 * ka_sync_get_last_error:
 * @self: a #KaSync
 *
 * Returns: (transfer none) (nullable): the message of the last failure (English, for the
 *   popover and logs; never contains the token), or %NULL after a success
 */
const char *
ka_sync_get_last_error (KaSync *self)
{
  g_return_val_if_fail (KA_IS_SYNC (self), NULL);

  return self->last_error;
}

/**
 * ka_sync_get_last_error_code:
 * @self: a #KaSync
 *
 * The kind of the last failure, so that the app can explain it in the user's language
 * rather than show the English #KaSync:last-error. Changes together with
 * #KaSync:last-error (and is notified with it).
 *
 * Returns: the #KaSyncError code of the last failure, or -1 after a success or when the
 *   last failure was not a #KA_SYNC_ERROR (e.g. a #KA_STORE_ERROR)
 */
int
ka_sync_get_last_error_code (KaSync *self)
{
  g_return_val_if_fail (KA_IS_SYNC (self), -1);

  return self->last_error != NULL ? self->last_error_code : -1;
}

/**
 * ka_sync_is_enrolled:
 * @self: a #KaSync
 *
 * Returns: %TRUE if a device token file exists (whether the collector still accepts it is
 *   known only after a run)
 */
gboolean
ka_sync_is_enrolled (KaSync *self)
{
  g_return_val_if_fail (KA_IS_SYNC (self), FALSE);

  return self->enrolled;
}

/**
 * ka_sync_get_token_path:
 * @self: a #KaSync
 *
 * Returns: (transfer full) (nullable): where the device token is kept: the store's path
 *   with `.token` appended (mode 0600); %NULL for an in-memory store
 */
char *
ka_sync_get_token_path (KaSync *self)
{
  g_return_val_if_fail (KA_IS_SYNC (self), NULL);

  return self->store != NULL ? sibling_path (self->store, ".token") : NULL;
}

/**
 * ka_sync_get_pack_path:
 * @self: a #KaSync
 *
 * Returns: (transfer full) (nullable): where the last pack downloaded from the collector
 *   is saved: the store's path with `.pack.json` appended; %NULL for an in-memory store.
 *   The app loads it from there when it did not get to swap packs before quitting.
 */
char *
ka_sync_get_pack_path (KaSync *self)
{
  g_return_val_if_fail (KA_IS_SYNC (self), NULL);

  return self->store != NULL ? sibling_path (self->store, ".pack.json") : NULL;
}

/**
 * ka_sync_get_last_report:
 * @self: a #KaSync
 *
 * Returns: (transfer none) (nullable): what the last finished operation did (also when
 *   it failed), or %NULL before the first one
 */
const KaSyncReport *
ka_sync_get_last_report (KaSync *self)
{
  g_return_val_if_fail (KA_IS_SYNC (self), NULL);

  return self->last_report;
}

/**
 * ka_sync_enrol_async:
 * @self: a #KaSync
 * @kind: %KA_MODE_CITIZEN or %KA_MODE_KIOSK
 * @enrolment_code: (nullable): the organisers' code, required for a kiosk
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the owner context when done
 * @user_data: data for @callback
 *
 * Enrols this store's device ID with the collector (`POST /v1/devices`, protocol §5.1)
 * and saves the token (fsync'd, mode 0600) before reporting success. Queued behind a
 * running operation. The code is never logged.
 */
void
ka_sync_enrol_async (KaSync              *self,
                     KaMode               kind,
                     const char          *enrolment_code,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Op *op;

  g_return_if_fail (KA_IS_SYNC (self));
  g_return_if_fail (kind == KA_MODE_CITIZEN || kind == KA_MODE_KIOSK);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ka_sync_enrol_async);

  if (self->disposed)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "sync stopped");
      return;
    }

  op = op_new (OP_ENROL);
  op->enrol_kind = kind;
  op->enrol_code = g_strdup (enrolment_code);
  g_ptr_array_add (op->tasks, g_steal_pointer (&task));
  enqueue (self, op);
}

/**
 * ka_sync_enrol_finish:
 * @self: a #KaSync
 * @result: the #GAsyncResult
 * @error: return location for a #GError: #KA_SYNC_ERROR_DEVICE_EXISTS (409),
 *   #KA_SYNC_ERROR_ENROLMENT_REFUSED (403), #KA_SYNC_ERROR_RATE_LIMITED (429), a network
 *   or URL error, or a file error if the token could not be saved
 *
 * Returns: %TRUE if the device is now enrolled
 */
gboolean
ka_sync_enrol_finish (KaSync        *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (KA_IS_SYNC (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ka_sync_enrol_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ka_sync_run_async:
 * @self: a #KaSync
 * @cancellable: (nullable): a #GCancellable; cancelling it cancels the run
 * @callback: called on the owner context when done
 * @user_data: data for @callback
 *
 * One full sync, in a worker thread: enrol as a citizen if there is no token and
 * #KaSync:auto-enrol is set; compare chains with the collector and requeue what it lost
 * (protocol §7); upload the pending ballots in `seq` order, in batches of at most
 * #KaSync:batch-size, settling each receipt in one store transaction (accepted and
 * duplicate → delivered with the revealed names; rejected → quarantined); then ask for a
 * newer pack with `If-None-Match`. It stops at the first failure (what was settled stays
 * settled) and does not retry by itself: ka_sync_start() does that with backoff. A run
 * requested while another is queued joins it. See ka_sync_get_last_report().
 */
void
ka_sync_run_async (KaSync              *self,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (KA_IS_SYNC (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ka_sync_run_async);

  if (self->disposed)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "sync stopped");
      return;
    }

  enqueue_run (self, g_steal_pointer (&task));
}

/**
 * ka_sync_run_finish:
 * @self: a #KaSync
 * @result: the #GAsyncResult
 * @error: return location for a #GError (#KA_SYNC_ERROR, #KA_STORE_ERROR,
 *   %G_IO_ERROR_CANCELLED)
 *
 * Returns: %TRUE if the run completed: every ballot that could be settled was settled
 *   (some may have been quarantined: see #KaSync:rejected)
 */
gboolean
ka_sync_run_finish (KaSync        *self,
                    GAsyncResult  *result,
                    GError       **error)
{
  g_return_val_if_fail (KA_IS_SYNC (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ka_sync_run_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ka_sync_start:
 * @self: a #KaSync
 *
 * Starts background sync: a run now, then one every #KaSync:interval seconds after a
 * success, or after a capped exponential backoff with full jitter (1 s doubling to 5 min)
 * or the collector's `Retry-After` (clamped to one hour) after a failure. While
 * #KaSync:network-monitor reports no network, nothing is tried (state "offline"); when
 * it returns, a run starts at once. After a "not enrolled" failure the loop waits for
 * ka_sync_enrol_async(), a new server URL or ka_sync_request_sync().
 */
void
ka_sync_start (KaSync *self)
{
  g_return_if_fail (KA_IS_SYNC (self));

  if (self->started || self->disposed)
    return;

  self->started = TRUE;
  self->network_up = network_available (self);
  if (self->monitor != NULL && self->network_changed_id == 0)
    self->network_changed_id = g_signal_connect (self->monitor, "network-changed",
                                                 G_CALLBACK (network_changed_cb), self);
  update_state (self);
  if (network_available (self) && self->current_op == NULL)
    schedule_in (self, 0);
}

/**
 * ka_sync_stop:
 * @self: a #KaSync
 *
 * Stops background sync and cancels the running and queued operations (their callers
 * get %G_IO_ERROR_CANCELLED). Settled ballots stay settled; a batch in flight stays
 * pending and is resent next time (the collector answers `duplicate`).
 */
void
ka_sync_stop (KaSync *self)
{
  g_return_if_fail (KA_IS_SYNC (self));

  self->started = FALSE;
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_signal_handler (&self->network_changed_id, self->monitor);
  set_next_sync (self, 0);
  cancel_all (self);
  update_state (self);
}

/**
 * ka_sync_request_sync:
 * @self: a #KaSync
 *
 * Asks for a run as soon as allowed, e.g. after a ballot was committed: refreshes
 * #KaSync:pending; if the background loop runs and is not waiting out a backoff, a run
 * starts now (or right after the running one).
 */
void
ka_sync_request_sync (KaSync *self)
{
  g_return_if_fail (KA_IS_SYNC (self));

  ka_sync_refresh_counts (self);

  if (!self->started || self->disposed)
    return;

  if (self->current_op != NULL)
    {
      self->rerun = TRUE;
      return;
    }

  /* Waiting out a backoff or Retry-After: keep waiting. */
  if (self->failures > 0 && self->timer_id != 0 && self->outcome != OUTCOME_NOT_ENROLLED)
    return;

  if (!network_available (self))
    return;

  g_clear_handle_id (&self->timer_id, g_source_remove);
  set_next_sync (self, 0);
  enqueue_run (self, NULL);
}

/**
 * ka_sync_refresh_counts:
 * @self: a #KaSync
 *
 * Recounts the outbox now (one small query) and updates #KaSync:pending,
 * #KaSync:delivered and #KaSync:rejected.
 */
void
ka_sync_refresh_counts (KaSync *self)
{
  g_autoptr(GError) error = NULL;
  KaOutboxCounts counts;

  g_return_if_fail (KA_IS_SYNC (self));

  if (self->store == NULL)
    return;

  if (ka_store_get_outbox_counts (self->store, &counts, &error))
    set_counts (self, &counts);
  else
    g_warning ("Could not count the outbox: %s", error->message);
}
