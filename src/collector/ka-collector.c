/* ka-collector.c: the collector's HTTP endpoints (SoupServer handlers)
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/protocol.md is the normative description of every endpoint here; keep the two in
 * step. Handlers run on the server's main context and answer synchronously: a ballot batch
 * is committed to SQLite (synchronous=FULL) before its 201 is written.
 */

#define G_LOG_DOMAIN "ka-collector"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/random.h>

#include "ka-ballot.h"
#include "ka-collector.h"
#include "ka-pack-seal.h"
#include "ka-pin.h"

#define TOKEN_BYTES 32
#define STATUS_TOO_MANY_REQUESTS 429   /* RFC 6585; libsoup 3.2 has no name for it */
#define MAX_RATE_BUCKETS 10000

typedef struct
{
  GBytes *body;
  char   *etag;      /* quoted entity tag */
} PackVariant;

typedef struct
{
  double tokens;
  gint64 updated_us;
} RateBucket;

struct _KaCollector
{
  GObject        parent_instance;

  /* owned */
  KaCollectorDb *db;
  SoupServer    *server;
  char          *enrolment_code_sha256;
  char          *organiser_token_sha256;
  GHashTable    *packs;           /* pack_id → KaPack */
  GBytes        *seal_key;        /* (nullable) */
  KaPack        *current_pack;
  PackVariant    sealed;
  PackVariant    open;
  GHashTable    *rate_buckets;    /* client address key → RateBucket */
  guint          citizen_per_hour;
};

G_DEFINE_FINAL_TYPE (KaCollector, ka_collector, G_TYPE_OBJECT)

/* Marks set on a message by the early handler while its body is read. */
#define BODY_TOO_LARGE "ka-body-too-large"
#define BODY_RECEIVED  "ka-body-received"

static void
pack_variant_clear (PackVariant *variant)
{
  g_clear_pointer (&variant->body, g_bytes_unref);
  g_clear_pointer (&variant->etag, g_free);
}

static void
ka_collector_dispose (GObject *object)
{
  KaCollector *self = KA_COLLECTOR (object);

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_object (&self->current_pack);
  g_clear_object (&self->db);

  G_OBJECT_CLASS (ka_collector_parent_class)->dispose (object);
}

static void
ka_collector_finalize (GObject *object)
{
  KaCollector *self = KA_COLLECTOR (object);

  g_clear_pointer (&self->enrolment_code_sha256, g_free);
  g_clear_pointer (&self->organiser_token_sha256, g_free);
  g_clear_pointer (&self->packs, g_hash_table_unref);
  g_clear_pointer (&self->seal_key, g_bytes_unref);
  g_clear_pointer (&self->rate_buckets, g_hash_table_unref);
  pack_variant_clear (&self->sealed);
  pack_variant_clear (&self->open);

  G_OBJECT_CLASS (ka_collector_parent_class)->finalize (object);
}

static void
ka_collector_class_init (KaCollectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ka_collector_dispose;
  object_class->finalize = ka_collector_finalize;
}

static void
ka_collector_init (KaCollector *self)
{
  self->packs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->rate_buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->citizen_per_hour = KA_COLLECTOR_DEFAULT_CITIZEN_ENROLMENTS_PER_HOUR;
}

/* Responses ---------------------------------------------------------------------------- */

static void
respond_node (SoupServerMessage *msg,
              guint              status,
              JsonNode          *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  gsize length = 0;
  char *text;

  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, &length);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, length);
}

static void
respond_builder (SoupServerMessage *msg,
                 guint              status,
                 JsonBuilder       *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  respond_node (msg, status, root);
}

static void respond_error (SoupServerMessage *msg,
                           guint              status,
                           const char        *code,
                           const char        *format,
                           ...) G_GNUC_PRINTF (4, 5);

static void
respond_error (SoupServerMessage *msg,
               guint              status,
               const char        *code,
               const char        *format,
               ...)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* Messages quote client input now and then: keep the body valid UTF-8 whatever came. */
  if (!g_utf8_validate (message, -1, NULL))
    {
      g_free (message);
      message = g_strdup ("(the message held invalid UTF-8)");
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  respond_builder (msg, status, builder);
}

static void
respond_db_error (SoupServerMessage *msg,
                  const GError      *error)
{
  if (g_error_matches (error, KA_COLLECTOR_DB_ERROR, KA_COLLECTOR_DB_ERROR_BUSY))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", "1");
      respond_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable",
                     "the database is busy; retry later");
      return;
    }

  g_warning ("database error: %s", error->message);
  respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                 "the collector could not complete the request");
}

static void
respond_method_not_allowed (SoupServerMessage *msg,
                            const char        *allow)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                allow);
  respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                 "%s is not allowed here; allowed: %s",
                 soup_server_message_get_method (msg), allow);
}

/* Request bodies ----------------------------------------------------------------------- */

static void
body_got_chunk_cb (SoupServerMessage *msg,
                   GBytes            *chunk,
                   gpointer           user_data)
{
  gsize received = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (msg), BODY_RECEIVED));

  received += g_bytes_get_size (chunk);
  g_object_set_data (G_OBJECT (msg), BODY_RECEIVED, GSIZE_TO_POINTER (received));

  if (received > KA_COLLECTOR_MAX_BODY_BYTES &&
      g_object_get_data (G_OBJECT (msg), BODY_TOO_LARGE) == NULL)
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);

      /* Keep reading (the connection stays usable) but stop keeping anything. */
      g_object_set_data (G_OBJECT (msg), BODY_TOO_LARGE, GINT_TO_POINTER (TRUE));
      soup_message_body_set_accumulate (body, FALSE);
      soup_message_body_truncate (body);
    }
}

static void
respond_too_large (SoupServerMessage *msg)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");
  respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large",
                 "request bodies are limited to %d bytes", KA_COLLECTOR_MAX_BODY_BYTES);
}

/* Runs once the headers are read, before the body. A declared oversized body is answered
 * at once (a client that sent "Expect: 100-continue" never sends it; any other has it read
 * and dropped, never buffered); a chunked one is capped as it arrives. */
static void
early_handler_cb (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > KA_COLLECTOR_MAX_BODY_BYTES)
    {
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      respond_too_large (msg);
      g_debug ("%s %s → %u (declared body too large)", soup_server_message_get_method (msg),
               path, soup_server_message_get_status (msg));
      return;
    }

  g_signal_connect (msg, "got-chunk", G_CALLBACK (body_got_chunk_cb), NULL);
}

/* Strict RFC 8259 check of the raw text, before json-glib sees it. json-glib accepts more
 * than the RFC (a second document after the first, duplicate member names with the last
 * one winning, lone surrogate escapes) and its parser recurses without a limit, so the
 * collector validates the text itself: one value, nesting at most
 * KA_COLLECTOR_MAX_JSON_DEPTH deep, no raw control character or "\u0000" in strings,
 * surrogate escapes in pairs. The input is already known to be valid UTF-8 without NUL.
 * Member counts are recorded per object in document order, so that duplicate names
 * (which json-glib merges) are found afterwards by comparing with the parsed tree. */
typedef struct
{
  const char *p;
  const char *end;
  const char *start;
  GArray     *member_counts;    /* guint, one per object in document order */
  GError    **error;
} JsonScan;

static gboolean scan_value (JsonScan *scan,
                            guint     depth);

static gboolean
scan_fail (JsonScan   *scan,
           const char *what)
{
  g_set_error (scan->error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "%s at byte %" G_GSIZE_FORMAT, what, (gsize) (scan->p - scan->start));
  return FALSE;
}

static void
scan_space (JsonScan *scan)
{
  while (scan->p < scan->end &&
         (*scan->p == ' ' || *scan->p == '\t' || *scan->p == '\n' || *scan->p == '\r'))
    scan->p++;
}

static gboolean
scan_hex4 (JsonScan *scan,
           guint    *unit)
{
  *unit = 0;
  if (scan->end - scan->p < 4)
    return scan_fail (scan, "truncated \\u escape");

  for (guint i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (scan->p[i]);

      if (digit < 0)
        return scan_fail (scan, "bad \\u escape");
      *unit = *unit * 16 + (guint) digit;
    }
  scan->p += 4;
  return TRUE;
}

static gboolean
scan_string (JsonScan *scan)
{
  scan->p++;   /* the opening quote */
  while (scan->p < scan->end)
    {
      guchar c = (guchar) *scan->p;

      if (c == '"')
        {
          scan->p++;
          return TRUE;
        }
      if (c < 0x20)
        return scan_fail (scan, "raw control character in a string");
      if (c != '\\')
        {
          scan->p++;
          continue;
        }

      scan->p++;
      if (scan->p >= scan->end)
        break;
      c = (guchar) *scan->p++;
      if (c == 'u')
        {
          guint unit;

          if (!scan_hex4 (scan, &unit))
            return FALSE;
          if (unit == 0)
            return scan_fail (scan, "the escape \\u0000 (NUL) in a string");
          if (unit >= 0xdc00 && unit <= 0xdfff)
            return scan_fail (scan, "lone low surrogate escape");
          if (unit >= 0xd800 && unit <= 0xdbff)
            {
              if (scan->end - scan->p < 2 || scan->p[0] != '\\' || scan->p[1] != 'u')
                return scan_fail (scan, "lone high surrogate escape");
              scan->p += 2;
              if (!scan_hex4 (scan, &unit))
                return FALSE;
              if (unit < 0xdc00 || unit > 0xdfff)
                return scan_fail (scan, "lone high surrogate escape");
            }
        }
      else if (strchr ("\"\\/bfnrt", c) == NULL || c == '\0')
        return scan_fail (scan, "invalid escape in a string");
    }

  return scan_fail (scan, "unterminated string");
}

static gboolean
scan_digits (JsonScan *scan)
{
  const char *first = scan->p;

  while (scan->p < scan->end && g_ascii_isdigit (*scan->p))
    scan->p++;
  return scan->p > first;
}

static gboolean
scan_number (JsonScan *scan)
{
  if (*scan->p == '-')
    scan->p++;
  if (scan->p < scan->end && *scan->p == '0')
    scan->p++;
  else if (!scan_digits (scan))
    return scan_fail (scan, "invalid number");

  if (scan->p < scan->end && *scan->p == '.')
    {
      scan->p++;
      if (!scan_digits (scan))
        return scan_fail (scan, "invalid number");
    }
  if (scan->p < scan->end && (*scan->p == 'e' || *scan->p == 'E'))
    {
      scan->p++;
      if (scan->p < scan->end && (*scan->p == '+' || *scan->p == '-'))
        scan->p++;
      if (!scan_digits (scan))
        return scan_fail (scan, "invalid number");
    }
  return TRUE;
}

static gboolean
scan_literal (JsonScan   *scan,
              const char *word)
{
  gsize length = strlen (word);

  if ((gsize) (scan->end - scan->p) < length || memcmp (scan->p, word, length) != 0)
    return scan_fail (scan, "unexpected character");
  scan->p += length;
  return TRUE;
}

static gboolean
scan_container (JsonScan *scan,
                guint     depth,
                gboolean  object)
{
  char close = object ? '}' : ']';
  guint index = scan->member_counts->len;
  guint members = 0;

  if (depth > KA_COLLECTOR_MAX_JSON_DEPTH)
    {
      g_set_error (scan->error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "the body nests deeper than %d levels", KA_COLLECTOR_MAX_JSON_DEPTH);
      return FALSE;
    }

  if (object)
    g_array_append_val (scan->member_counts, members);

  scan->p++;
  scan_space (scan);
  if (scan->p < scan->end && *scan->p == close)
    {
      scan->p++;
      return TRUE;
    }

  for (;;)
    {
      if (object)
        {
          if (scan->p >= scan->end || *scan->p != '"')
            return scan_fail (scan, "expected a member name");
          if (!scan_string (scan))
            return FALSE;
          scan_space (scan);
          if (scan->p >= scan->end || *scan->p != ':')
            return scan_fail (scan, "expected ':'");
          scan->p++;
          scan_space (scan);
          g_array_index (scan->member_counts, guint, index) = ++members;
        }

      if (!scan_value (scan, depth))
        return FALSE;
      scan_space (scan);

      if (scan->p < scan->end && *scan->p == ',')
        {
          scan->p++;
          scan_space (scan);
          continue;
        }
      if (scan->p < scan->end && *scan->p == close)
        {
          scan->p++;
          return TRUE;
        }
      return scan_fail (scan, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static gboolean
scan_value (JsonScan *scan,
            guint     depth)
{
  if (scan->p >= scan->end)
    return scan_fail (scan, "unexpected end of the body");

  switch (*scan->p)
    {
    case '{':
      return scan_container (scan, depth + 1, TRUE);
    case '[':
      return scan_container (scan, depth + 1, FALSE);
    case '"':
      return scan_string (scan);
    case 't':
      return scan_literal (scan, "true");
    case 'f':
      return scan_literal (scan, "false");
    case 'n':
      return scan_literal (scan, "null");
    default:
      if (*scan->p == '-' || g_ascii_isdigit (*scan->p))
        return scan_number (scan);
      return scan_fail (scan, "unexpected character");
    }
}

static gboolean
validate_json_text (const char  *data,
                    gsize        length,
                    GArray      *member_counts,
                    GError     **error)
{
  JsonScan scan = { data, data + length, data, member_counts, error };

  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    return scan_fail (&scan, "a byte-order mark (JSON text has none)");

  scan_space (&scan);
  if (!scan_value (&scan, 0))
    return FALSE;
  scan_space (&scan);
  if (scan.p != scan.end)
    return scan_fail (&scan, "trailing data after the JSON value");
  return TRUE;
}

/* Compares the parsed objects, in document order, with the member counts of the text. */
static gboolean
check_duplicates (JsonNode  *node,
                  GArray    *member_counts,
                  guint     *index,
                  GError   **error)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = NULL;

      if (*index >= member_counts->len ||
          g_array_index (member_counts, guint, *index) != json_object_get_size (object))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "an object has a duplicate member name");
          return FALSE;
        }
      (*index)++;

      members = json_object_get_members (object);
      for (GList *l = members; l != NULL; l = l->next)
        {
          if (!check_duplicates (json_object_get_member (object, l->data), member_counts,
                                 index, error))
            return FALSE;
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if (!check_duplicates (json_array_get_element (array, i), member_counts, index,
                                 error))
            return FALSE;
        }
    }

  return TRUE;
}

static gboolean
is_json_content_type (SoupServerMessage *msg)
{
  const char *type;

  type = soup_message_headers_get_content_type (soup_server_message_get_request_headers (msg),
                                                NULL);
  return type != NULL && g_ascii_strcasecmp (type, "application/json") == 0;
}

/* Reads the request body as one JSON object, or answers 4xx and returns NULL. */
static JsonNode *
read_json_object (SoupServerMessage *msg)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) member_counts = NULL;
  const char *data;
  const char *end = NULL;
  gsize length;
  guint index = 0;
  JsonNode *root;

  if (!is_json_content_type (msg))
    {
      respond_error (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                     "the body must be sent as Content-Type: application/json");
      return NULL;
    }

  bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  data = g_bytes_get_data (bytes, &length);

  if (length == 0)
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_json", "the body is empty");
      return NULL;
    }

  if (!g_utf8_validate (data, length, &end))
    {
      if (*end == '\0' && end < data + length)
        respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_json",
                       "the body contains a NUL byte at offset %" G_GSIZE_FORMAT,
                       (gsize) (end - data));
      else
        respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_json",
                       "the body is not valid UTF-8 (at byte offset %" G_GSIZE_FORMAT ")",
                       (gsize) (end - data));
      return NULL;
    }

  member_counts = g_array_new (FALSE, FALSE, sizeof (guint));
  if (!validate_json_text (data, length, member_counts, &error))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_json", "%s", error->message);
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, &error))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_json", "not well-formed JSON: %s",
                     error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !check_duplicates (root, member_counts, &index, &error))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_json", "%s",
                     error != NULL ? error->message : "the body holds no JSON value");
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                     "the body must be a JSON object");
      return NULL;
    }

  return json_node_ref (root);
}

/* Refuses members outside @allowed (a NULL-terminated list). */
static gboolean
check_members (SoupServerMessage  *msg,
               JsonObject         *object,
               const char * const *allowed)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      if (!g_strv_contains (allowed, l->data))
        {
          respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                         "unknown member '%s'", (const char *) l->data);
          return FALSE;
        }
    }

  return TRUE;
}

/* The string member @name, or NULL after answering 400 (missing or not a string). An
 * optional member that is absent gives NULL without an answer: check *present. */
static const char *
get_string_member (SoupServerMessage *msg,
                   JsonObject        *object,
                   const char        *name,
                   gboolean           required,
                   gboolean          *present)
{
  JsonNode *node = json_object_get_member (object, name);

  *present = node != NULL;
  if (node == NULL)
    {
      if (required)
        respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                       "member '%s' is missing", name);
      return NULL;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      *present = FALSE;
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                     "member '%s' must be a string", name);
      return NULL;
    }

  return json_node_get_string (node);
}

/* Authentication ----------------------------------------------------------------------- */

static char *
sha256_hex (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

/* Compares without an early exit, so timing does not tell how much of a secret matched:
 * the core's tested ka_pin_equal() over the whole text. Both sides are SHA-256 hex digests
 * here, so their lengths are public and always equal. */
static gboolean
equal_in_constant_time (const char *a,
                        const char *b)
{
  gsize la = strlen (a);

  return la == strlen (b) && ka_pin_equal ((const guint8 *) a, (const guint8 *) b, la);
}

static gboolean
is_token_syntax (const char *token)
{
  if (strlen (token) != TOKEN_BYTES * 2)
    return FALSE;

  for (const char *p = token; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
        return FALSE;
    }

  return TRUE;
}

/* The credentials of "Authorization: Bearer <credentials>"; NULL if the header is absent
 * (*present FALSE) or is not a Bearer header (*present TRUE). */
static char *
get_bearer (SoupServerMessage *msg,
            gboolean          *present)
{
  const char *value;

  value = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                        "Authorization");
  *present = value != NULL;
  if (value == NULL)
    return NULL;

  while (*value == ' ')
    value++;
  if (g_ascii_strncasecmp (value, "Bearer ", 7) != 0)
    return NULL;
  value += 7;
  while (*value == ' ')
    value++;

  return g_strchomp (g_strdup (value));
}

static void
respond_unauthorized (SoupServerMessage *msg,
                      const char        *message)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "WWW-Authenticate", "Bearer realm=\"kai-arena\"");
  respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized", "%s", message);
}

/* Authenticates a device token. With @optional, a request without Authorization passes
 * as anonymous (*device_id NULL). Otherwise answers 401 (or 5xx) and returns FALSE. */
static gboolean
authenticate_device (KaCollector       *self,
                     SoupServerMessage *msg,
                     gboolean           optional,
                     char             **device_id,
                     KaDeviceKind      *kind)
{
  g_autofree char *token = NULL;
  g_autofree char *token_sha256 = NULL;
  g_autoptr(GError) error = NULL;
  gboolean present;

  *device_id = NULL;
  token = get_bearer (msg, &present);

  if (!present && optional)
    return TRUE;

  if (token == NULL)
    {
      respond_unauthorized (msg, present
                                   ? "the Authorization header must be 'Bearer <device token>'"
                                   : "this endpoint needs 'Authorization: Bearer <device token>'");
      return FALSE;
    }

  if (!is_token_syntax (token))
    {
      respond_unauthorized (msg, "the device token is not 64 lowercase hexadecimal digits");
      return FALSE;
    }

  token_sha256 = sha256_hex (token);
  if (!ka_collector_db_lookup_token (self->db, token_sha256, device_id, kind, &error))
    {
      if (g_error_matches (error, KA_COLLECTOR_DB_ERROR, KA_COLLECTOR_DB_ERROR_NOT_FOUND))
        respond_unauthorized (msg, "unknown device token: enrol again");
      else
        respond_db_error (msg, error);
      return FALSE;
    }

  return TRUE;
}

static gboolean
authenticate_organiser (KaCollector       *self,
                        SoupServerMessage *msg)
{
  g_autofree char *token = NULL;
  g_autofree char *token_sha256 = NULL;
  gboolean present;

  if (self->organiser_token_sha256 == NULL)
    {
      respond_error (msg, SOUP_STATUS_FORBIDDEN, "organiser_access_disabled",
                     "this collector was started without an organiser token");
      return FALSE;
    }

  token = get_bearer (msg, &present);
  if (token == NULL)
    {
      respond_unauthorized (msg, "this endpoint needs 'Authorization: Bearer <organiser token>'");
      return FALSE;
    }

  token_sha256 = sha256_hex (token);
  if (!equal_in_constant_time (token_sha256, self->organiser_token_sha256))
    {
      respond_unauthorized (msg, "wrong organiser token");
      return FALSE;
    }

  return TRUE;
}

/* Enrolment ---------------------------------------------------------------------------- */

/* Citizens' enrolments are limited per client address; IPv6 clients per /64, which is
 * what one household or one phone usually holds. */
static char *
rate_key (SoupServerMessage *msg)
{
  GSocketAddress *address = soup_server_message_get_remote_address (msg);
  GInetAddress *inet;

  if (address == NULL || !G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("?");

  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6 &&
      !g_inet_address_get_is_loopback (inet))
    {
      const guint8 *bytes = g_inet_address_to_bytes (inet);

      return g_strdup_printf ("%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64",
                              bytes[0], bytes[1], bytes[2], bytes[3],
                              bytes[4], bytes[5], bytes[6], bytes[7]);
    }

  return g_inet_address_to_string (inet);
}

static void
prune_rate_buckets (KaCollector *self,
                    gint64       now_us,
                    double       per_us)
{
  GHashTableIter iter;
  RateBucket *bucket;

  /* A bucket that has refilled is the same as no bucket. */
  g_hash_table_iter_init (&iter, self->rate_buckets);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &bucket))
    {
      if (bucket->tokens + (now_us - bucket->updated_us) * per_us >= self->citizen_per_hour)
        g_hash_table_iter_remove (&iter);
    }
}

/* A token bucket per client: citizen_per_hour enrolments at once, refilled evenly over an
 * hour. Returns 0 if allowed (and takes a token), else the seconds to wait. */
static guint
take_rate_token (KaCollector       *self,
                 SoupServerMessage *msg)
{
  g_autofree char *key = NULL;
  double capacity = self->citizen_per_hour;
  double per_us = capacity / (3600.0 * G_USEC_PER_SEC);
  gint64 now_us = g_get_monotonic_time ();
  RateBucket *bucket;

  if (self->citizen_per_hour == 0)
    return 0;

  key = rate_key (msg);
  bucket = g_hash_table_lookup (self->rate_buckets, key);
  if (bucket == NULL)
    {
      if (g_hash_table_size (self->rate_buckets) >= MAX_RATE_BUCKETS)
        prune_rate_buckets (self, now_us, per_us);

      bucket = g_new0 (RateBucket, 1);
      bucket->tokens = capacity;
      bucket->updated_us = now_us;
      g_hash_table_insert (self->rate_buckets, g_steal_pointer (&key), bucket);
    }
  else
    {
      bucket->tokens = MIN (capacity, bucket->tokens + (now_us - bucket->updated_us) * per_us);
      bucket->updated_us = now_us;
    }

  if (bucket->tokens >= 1.0)
    {
      bucket->tokens -= 1.0;
      return 0;
    }

  return (guint) MAX (1.0, ceil ((1.0 - bucket->tokens) / per_us / G_USEC_PER_SEC));
}

static void
respond_rate_limited (SoupServerMessage *msg,
                      guint              seconds)
{
  g_autofree char *value = g_strdup_printf ("%u", seconds);

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Retry-After", value);
  respond_error (msg, STATUS_TOO_MANY_REQUESTS, "rate_limited",
                 "too many enrolments from this address; retry after %u s", seconds);
}

static gboolean
make_token (char   **token,
            GError **error)
{
  guint8 bytes[TOKEN_BYTES];
  gsize filled = 0;
  GString *hex;

  while (filled < sizeof bytes)
    {
      gssize n = getrandom (bytes + filled, sizeof bytes - filled, 0);

      if (n < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "getrandom: %s", g_strerror (saved_errno));
          return FALSE;
        }
      filled += (gsize) n;
    }

  hex = g_string_sized_new (TOKEN_BYTES * 2);
  for (gsize i = 0; i < sizeof bytes; i++)
    g_string_append_printf (hex, "%02x", bytes[i]);
  memset (bytes, 0, sizeof bytes);

  *token = g_string_free (hex, FALSE);
  return TRUE;
}

static void
handle_enrol (KaCollector       *self,
              SoupServerMessage *msg)
{
  static const char * const allowed[] = { "kind", "enrolment_code", "device_id", NULL };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *device_id = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token_sha256 = NULL;
  g_autofree char *created_at = NULL;
  g_autofree char *presented_sha256 = NULL;
  JsonObject *object;
  const char *kind_name;
  const char *code;
  const char *proposed_id;
  gboolean present;
  KaDeviceKind kind;

  root = read_json_object (msg);
  if (root == NULL)
    return;
  object = json_node_get_object (root);

  if (!check_members (msg, object, allowed))
    return;

  kind_name = get_string_member (msg, object, "kind", TRUE, &present);
  if (kind_name == NULL)
    return;
  if (!ka_device_kind_from_string (kind_name, &kind))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                     "member 'kind' must be \"citizen\" or \"kiosk\"");
      return;
    }

  code = get_string_member (msg, object, "enrolment_code", FALSE, &present);
  if (code == NULL && json_object_has_member (object, "enrolment_code"))
    return;

  /* A device proposes the ID its store made when it was first opened, so that ballots
   * cast before enrolment (offline) already carry the right device_id. */
  proposed_id = get_string_member (msg, object, "device_id", FALSE, &present);
  if (proposed_id == NULL && json_object_has_member (object, "device_id"))
    return;
  if (proposed_id != NULL && !g_uuid_string_is_valid (proposed_id))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                     "member 'device_id' must be a UUID");
      return;
    }

  if (kind == KA_DEVICE_KIND_KIOSK)
    {
      guint wait;

      if (self->enrolment_code_sha256 == NULL)
        {
          respond_error (msg, SOUP_STATUS_FORBIDDEN, "kiosk_enrolment_disabled",
                         "this collector was started without an enrolment code, so it "
                         "enrols no kiosk");
          return;
        }

      /* Hashes on both sides: the comparison time does not depend on the code. */
      presented_sha256 = sha256_hex (code != NULL ? code : "");
      if (code == NULL ||
          !equal_in_constant_time (presented_sha256, self->enrolment_code_sha256))
        {
          /* Wrong guesses spend the address's enrolment budget: no brute force. */
          wait = take_rate_token (self, msg);
          if (wait > 0)
            respond_rate_limited (msg, wait);
          else
            respond_error (msg, SOUP_STATUS_FORBIDDEN, "bad_enrolment_code",
                           code == NULL ? "a kiosk needs the organisers' enrolment code"
                                        : "wrong enrolment code");
          return;
        }
    }
  else
    {
      guint wait = take_rate_token (self, msg);

      if (wait > 0)
        {
          respond_rate_limited (msg, wait);
          return;
        }
    }

  if (!make_token (&token, &error))
    {
      g_warning ("cannot make a device token: %s", error->message);
      respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                     "the collector could not make a device token");
      return;
    }

  device_id = proposed_id != NULL ? g_strdup (proposed_id) : g_uuid_string_random ();
  token_sha256 = sha256_hex (token);
  created_at = ka_timestamp_now ();

  if (!ka_collector_db_add_device (self->db, device_id, token_sha256, kind, created_at,
                                   &error))
    {
      /* Never a second token for an enrolled device: whoever held it could append to
       * that device's chain. */
      if (g_error_matches (error, KA_COLLECTOR_DB_ERROR, KA_COLLECTOR_DB_ERROR_EXISTS))
        respond_error (msg, SOUP_STATUS_CONFLICT, "device_exists",
                       "device %s is already enrolled", device_id);
      else
        respond_db_error (msg, error);
      return;
    }

  g_debug ("enrolled %s device %s", kind_name, device_id);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "device_id");
  json_builder_add_string_value (builder, device_id);
  json_builder_set_member_name (builder, "device_token");
  json_builder_add_string_value (builder, token);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind_name);
  json_builder_end_object (builder);

  respond_builder (msg, SOUP_STATUS_CREATED, builder);
}

/* Packs -------------------------------------------------------------------------------- */

/* Weak comparison (RFC 9110 §13.1.2): W/ is ignored; "*" matches any current pack. */
static gboolean
if_none_match_matches (const char *header,
                       const char *etag)
{
  g_auto(GStrv) tags = NULL;

  if (header == NULL)
    return FALSE;

  tags = g_strsplit (header, ",", -1);
  for (guint i = 0; tags[i] != NULL; i++)
    {
      const char *tag = g_strstrip (tags[i]);

      if (g_str_has_prefix (tag, "W/"))
        tag += 2;
      if (strcmp (tag, "*") == 0 || strcmp (tag, etag) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
handle_pack (KaCollector       *self,
             SoupServerMessage *msg)
{
  g_autofree char *device_id = NULL;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  KaDeviceKind kind = KA_DEVICE_KIND_CITIZEN;
  const PackVariant *variant;
  const char *if_none_match;

  if (!authenticate_device (self, msg, TRUE, &device_id, &kind))
    return;

  if (self->current_pack == NULL)
    {
      respond_error (msg, SOUP_STATUS_NOT_FOUND, "no_pack",
                     "this collector serves no pack (it was started without --pack)");
      return;
    }

  /* Only an enrolled kiosk holds the open pack; citizens and anonymous clients cannot
   * learn which model wrote which answer before they vote (DESIGN.md §3, §7). */
  variant = device_id != NULL && kind == KA_DEVICE_KIND_KIOSK ? &self->open : &self->sealed;

  soup_message_headers_replace (headers, "ETag", variant->etag);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_replace (headers, "Vary", "Authorization");

  if_none_match = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                "If-None-Match");
  if (if_none_match_matches (if_none_match, variant->etag))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (variant->body, NULL),
                                    g_bytes_get_size (variant->body));
}

/* Ballots ------------------------------------------------------------------------------ */

/* The display names of the models behind @b's two responses, if a loaded open pack with
 * @b's pack_id knows them (by open or sealed ID) and they answer @b's prompt. */
static gboolean
resolve_models (KaCollector     *self,
                const KaBallot  *b,
                const char     **model_a,
                const char     **model_b)
{
  KaPack *pack = g_hash_table_lookup (self->packs, b->pack_id);
  const KaPackResponse *ra;
  const KaPackResponse *rb;
  const KaPackModel *ma;
  const KaPackModel *mb;

  *model_a = *model_b = NULL;
  if (pack == NULL || ka_pack_is_sealed (pack))
    return FALSE;

  /* Open IDs (a kiosk holds the open pack) and sealed ones (a citizen device's) both
   * resolve: the pack carries its private seal map (ka_pack_set_response_aliases()). */
  ra = ka_pack_lookup_response (pack, b->response_a);
  rb = ka_pack_lookup_response (pack, b->response_b);
  if (ra == NULL || rb == NULL || ra->model_id == NULL || rb->model_id == NULL ||
      g_strcmp0 (ra->prompt_id, b->prompt_id) != 0 ||
      g_strcmp0 (rb->prompt_id, b->prompt_id) != 0)
    return FALSE;

  ma = ka_pack_lookup_model (pack, ra->model_id);
  mb = ka_pack_lookup_model (pack, rb->model_id);
  if (ma == NULL || mb == NULL)
    return FALSE;

  *model_a = ma->display_name;
  *model_b = mb->display_name;
  return TRUE;
}

/* One uploaded batch: the DB's items plus what they borrow. */
typedef struct
{
  guint         n;
  KaSubmitItem *items;
  KaBallot    **ballots;
  char        **canonicals;
  char        **ids;
} Batch;

static void
batch_free (Batch *batch)
{
  for (guint i = 0; i < batch->n; i++)
    {
      ka_submit_item_clear (&batch->items[i]);
      ka_ballot_free (batch->ballots[i]);
      g_free (batch->canonicals[i]);
      g_free (batch->ids[i]);
    }
  g_free (batch->items);
  g_free (batch->ballots);
  g_free (batch->canonicals);
  g_free (batch->ids);
  g_free (batch);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Batch, batch_free)

static Batch *
batch_new (guint n)
{
  Batch *batch = g_new0 (Batch, 1);

  batch->n = n;
  batch->items = g_new0 (KaSubmitItem, n);
  batch->ballots = g_new0 (KaBallot *, n);
  batch->canonicals = g_new0 (char *, n);
  batch->ids = g_new0 (char *, n);
  return batch;
}

static void
reject_item (KaSubmitItem *item,
             const char   *code,
             char         *message)
{
  item->ballot = NULL;
  item->outcome = KA_SUBMIT_REJECTED;
  item->reject_code = code;
  g_free (item->reject_message);
  item->reject_message = message;
}

static void
add_reveal (JsonBuilder  *builder,
            const char   *ballot_id,
            const char   *model_a,
            const char   *model_b)
{
  if (model_a == NULL || model_b == NULL)
    return;

  json_builder_set_member_name (builder, ballot_id);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model_a");
  json_builder_add_string_value (builder, model_a);
  json_builder_set_member_name (builder, "model_b");
  json_builder_add_string_value (builder, model_b);
  json_builder_end_object (builder);
}

static void
respond_receipt (SoupServerMessage *msg,
                 const Batch       *batch,
                 gint64             count,
                 const char        *head)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  static const KaSubmitOutcome lists[] = { KA_SUBMIT_ACCEPTED, KA_SUBMIT_DUPLICATE };
  static const char * const list_names[] = { "accepted", "duplicate" };

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "receipt");
  json_builder_begin_object (builder);

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    {
      json_builder_set_member_name (builder, list_names[l]);
      json_builder_begin_array (builder);
      for (guint i = 0; i < batch->n; i++)
        {
          if (batch->items[i].outcome == lists[l])
            json_builder_add_string_value (builder, batch->ids[i]);
        }
      json_builder_end_array (builder);
    }

  json_builder_set_member_name (builder, "rejected");
  json_builder_begin_array (builder);
  for (guint i = 0; i < batch->n; i++)
    {
      const KaSubmitItem *item = &batch->items[i];

      if (item->outcome != KA_SUBMIT_REJECTED)
        continue;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "ballot_id");
      json_builder_add_string_value (builder, batch->ids[i]);
      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, item->reject_code);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, item->reject_message != NULL
                                                ? item->reject_message : item->reject_code);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  /* Accepted and duplicate ballots both count as delivered, so both get their names; a
   * duplicate shows the names stored with its first copy. */
  json_builder_set_member_name (builder, "reveal");
  json_builder_begin_object (builder);
  for (guint i = 0; i < batch->n; i++)
    {
      const KaSubmitItem *item = &batch->items[i];

      if (item->outcome == KA_SUBMIT_ACCEPTED)
        add_reveal (builder, batch->ids[i], item->model_a, item->model_b);
      else if (item->outcome == KA_SUBMIT_DUPLICATE)
        add_reveal (builder, batch->ids[i],
                    item->stored_model_a != NULL ? item->stored_model_a : item->model_a,
                    item->stored_model_b != NULL ? item->stored_model_b : item->model_b);
    }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "chain_head");
  json_builder_add_string_value (builder, head);
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, count);

  json_builder_end_object (builder);
  json_builder_end_object (builder);

  respond_builder (msg, SOUP_STATUS_CREATED, builder);
}

static void
handle_upload (KaCollector       *self,
               SoupServerMessage *msg)
{
  static const char * const allowed[] = { "device_id", "ballots", NULL };
  g_autofree char *device_id = NULL;
  g_autofree char *head = NULL;
  g_autofree char *received_at = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Batch) batch = NULL;
  KaDeviceKind kind;
  JsonObject *object;
  JsonNode *ballots_node;
  JsonArray *ballots;
  const char *body_device_id;
  gboolean present;
  gint64 count = 0;
  gint64 started_us;
  guint n;

  if (!authenticate_device (self, msg, FALSE, &device_id, &kind))
    return;

  root = read_json_object (msg);
  if (root == NULL)
    return;
  object = json_node_get_object (root);

  if (!check_members (msg, object, allowed))
    return;

  body_device_id = get_string_member (msg, object, "device_id", TRUE, &present);
  if (body_device_id == NULL)
    return;

  ballots_node = json_object_get_member (object, "ballots");
  if (ballots_node == NULL || !JSON_NODE_HOLDS_ARRAY (ballots_node))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                     ballots_node == NULL ? "member 'ballots' is missing"
                                          : "member 'ballots' must be an array");
      return;
    }

  if (strcmp (body_device_id, device_id) != 0)
    {
      respond_error (msg, SOUP_STATUS_FORBIDDEN, "wrong_device",
                     "the token belongs to another device than 'device_id'");
      return;
    }

  ballots = json_node_get_array (ballots_node);
  n = json_array_get_length (ballots);
  if (n > KA_COLLECTOR_MAX_BATCH)
    {
      respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_many_ballots",
                     "a batch holds at most %d ballots, this one %u",
                     KA_COLLECTOR_MAX_BATCH, n);
      return;
    }

  /* Every element must at least name itself, or no receipt could mention it: such a
   * batch is refused whole before anything is stored. */
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (ballots, i);
      JsonNode *id_node;
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                         "ballots[%u] is not an object", i);
          return;
        }

      id_node = json_object_get_member (json_node_get_object (element), "ballot_id");
      if (id_node == NULL || !JSON_NODE_HOLDS_VALUE (id_node) ||
          json_node_get_value_type (id_node) != G_TYPE_STRING)
        {
          respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                         "ballots[%u] has no string member 'ballot_id'", i);
          return;
        }

      id = json_node_get_string (id_node);
      if (id[0] == '\0' || strlen (id) > KA_PACK_MAX_ID_BYTES)
        {
          respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                         "ballots[%u].ballot_id is empty or longer than %d bytes", i,
                         KA_PACK_MAX_ID_BYTES);
          return;
        }
    }

  /* Checks that need no database: a ballot failing one is rejected, the others go on. */
  batch = batch_new (n);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (ballots, i);
      KaSubmitItem *item = &batch->items[i];
      g_autoptr(GError) parse_error = NULL;
      KaBallot *b;

      batch->ids[i] = g_strdup (json_object_get_string_member (json_node_get_object (element),
                                                               "ballot_id"));

      /* ka-ballot tolerates the store's "delivery" member (docs/ballots.md §1); on the
       * wire a ballot has exactly its 17 members. */
      if (json_object_has_member (json_node_get_object (element), "delivery"))
        {
          reject_item (item, "invalid", g_strdup ("ballot field 'delivery' is not a ballot "
                                                  "field"));
          continue;
        }

      b = batch->ballots[i] = ka_ballot_new_from_json (element, &parse_error);
      if (b == NULL)
        {
          reject_item (item, "invalid", g_strdup (parse_error->message));
          continue;
        }

      if (!ka_ballot_verify_hash (b))
        {
          reject_item (item, "bad_hash",
                       g_strdup ("'hash' is not the SHA-256 of the ballot's canonical JSON"));
          continue;
        }

      if (strcmp (b->device_id, device_id) != 0)
        {
          reject_item (item, "wrong_device",
                       g_strdup ("the ballot's device_id is not the sending device"));
          continue;
        }

      batch->canonicals[i] = ka_ballot_canonical_json (b, TRUE);
      item->ballot = b;
      item->canonical = batch->canonicals[i];
      resolve_models (self, b, &item->model_a, &item->model_b);
    }

  received_at = ka_timestamp_now ();
  started_us = g_get_monotonic_time ();
  if (!ka_collector_db_submit (self->db, device_id, batch->items, n, received_at, &count,
                               &head, &error))
    {
      respond_db_error (msg, error);
      return;
    }

  g_debug ("batch of %u from device %s committed in %.1f ms; chain at %" G_GINT64_FORMAT,
           n, device_id, (g_get_monotonic_time () - started_us) / 1000.0, count);

  respond_receipt (msg, batch, count, head);
}

static void
handle_chain (KaCollector       *self,
              SoupServerMessage *msg,
              const char        *path_device_id)
{
  g_autofree char *device_id = NULL;
  g_autofree char *head = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  KaDeviceKind kind;
  gint64 count = 0;

  if (!authenticate_device (self, msg, FALSE, &device_id, &kind))
    return;

  if (strcmp (device_id, path_device_id) != 0)
    {
      respond_error (msg, SOUP_STATUS_FORBIDDEN, "wrong_device",
                     "a device may only read its own chain");
      return;
    }

  if (!ka_collector_db_get_chain (self->db, device_id, &count, &head, &error))
    {
      respond_db_error (msg, error);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "device_id");
  json_builder_add_string_value (builder, device_id);
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, count);
  json_builder_set_member_name (builder, "head");
  json_builder_add_string_value (builder, head);
  json_builder_end_object (builder);

  respond_builder (msg, SOUP_STATUS_OK, builder);
}

/* Organiser endpoints ------------------------------------------------------------------ */

static gboolean
check_query (SoupServerMessage  *msg,
             GHashTable         *query,
             const char * const *allowed)
{
  GHashTableIter iter;
  const char *key;

  if (query == NULL)
    return TRUE;

  g_hash_table_iter_init (&iter, query);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    {
      if (!g_strv_contains (allowed, key))
        {
          respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                         "unknown query parameter '%s'", key);
          return FALSE;
        }
    }

  return TRUE;
}

typedef struct
{
  KaCollector *self;
  const char  *mode;       /* filter, nullable */
  const char  *pack_id;    /* filter, nullable */
  GHashTable  *groups;     /* "a\x1fb\x1fwinner" → gint64* */
  gint64       total;
  gint64       counted;
  gint64       flagged;
  gint64       unresolved;
} TallyData;

static void
tally_row_cb (const KaCollectorTallyRow *row,
              gpointer                   user_data)
{
  TallyData *data = user_data;
  const char *model_a = row->model_a;
  const char *model_b = row->model_b;
  char *key;
  gint64 *sum;

  if ((data->mode != NULL && g_strcmp0 (row->mode, data->mode) != 0) ||
      (data->pack_id != NULL && g_strcmp0 (row->pack_id, data->pack_id) != 0))
    return;

  data->total += row->count;

  /* DESIGN.md §7: a ballot on a battle flagged by the identity guard is left out. */
  if (row->identity_flag)
    {
      data->flagged += row->count;
      return;
    }

  /* Names not stored at receipt (the pack was loaded later) come from the loaded packs. */
  if (model_a == NULL || model_b == NULL)
    {
      KaBallot probe = {
        .pack_id = (char *) row->pack_id,
        .prompt_id = NULL,
        .response_a = (char *) row->response_a,
        .response_b = (char *) row->response_b,
      };
      KaPack *pack = g_hash_table_lookup (data->self->packs, row->pack_id);
      const KaPackResponse *ra = pack != NULL && !ka_pack_is_sealed (pack)
                                   ? ka_pack_lookup_response (pack, row->response_a)
                                   : NULL;

      /* The prompt is implied by the response; resolve_models() insists they agree. */
      probe.prompt_id = ra != NULL ? ra->prompt_id : NULL;
      if (probe.prompt_id == NULL ||
          !resolve_models (data->self, &probe, &model_a, &model_b))
        {
          data->unresolved += row->count;
          return;
        }
    }

  key = g_strjoin ("\x1f", model_a, model_b, row->winner, NULL);
  sum = g_hash_table_lookup (data->groups, key);
  if (sum == NULL)
    {
      sum = g_new0 (gint64, 1);
      g_hash_table_insert (data->groups, key, sum);
    }
  else
    g_free (key);

  *sum += row->count;
  data->counted += row->count;
}

/* g_ptr_array_sort() passes pointers to the elements. */
static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The keys of @table, sorted (borrowed strings). */
static GPtrArray *
sorted_keys (GHashTable *table)
{
  GPtrArray *keys = g_ptr_array_sized_new (g_hash_table_size (table));
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, compare_strings);
  return keys;
}

typedef struct
{
  gint64 battles;
  gint64 wins;
  gint64 losses;
  gint64 ties;
  gint64 both_bad;
} ModelSummary;

static ModelSummary *
get_summary (GHashTable *models,
             const char *name)
{
  ModelSummary *summary = g_hash_table_lookup (models, name);

  if (summary == NULL)
    {
      summary = g_new0 (ModelSummary, 1);
      g_hash_table_insert (models, g_strdup (name), summary);
    }

  return summary;
}

static void
handle_tallies (KaCollector       *self,
                SoupServerMessage *msg,
                GHashTable        *query)
{
  static const char * const allowed[] = { "mode", "pack_id", NULL };
  g_autoptr(GHashTable) groups = NULL;
  g_autoptr(GHashTable) models = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autofree char *now = NULL;
  TallyData data = { 0 };

  if (!authenticate_organiser (self, msg) || !check_query (msg, query, allowed))
    return;

  data.self = self;
  data.mode = query != NULL ? g_hash_table_lookup (query, "mode") : NULL;
  data.pack_id = query != NULL ? g_hash_table_lookup (query, "pack_id") : NULL;
  if (data.mode != NULL && !ka_mode_from_string (data.mode, NULL))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                     "query parameter 'mode' must be citizen or kiosk");
      return;
    }

  groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  data.groups = groups;
  if (!ka_collector_db_foreach_tally (self->db, tally_row_cb, &data, &error))
    {
      respond_db_error (msg, error);
      return;
    }

  keys = sorted_keys (groups);
  models = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  now = ka_timestamp_now ();
  json_builder_set_member_name (builder, "generated_at");
  json_builder_add_string_value (builder, now);
  json_builder_set_member_name (builder, "ballots");
  json_builder_add_int_value (builder, data.total);
  json_builder_set_member_name (builder, "counted");
  json_builder_add_int_value (builder, data.counted);
  json_builder_set_member_name (builder, "excluded");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "identity_flag");
  json_builder_add_int_value (builder, data.flagged);
  json_builder_set_member_name (builder, "unresolved");
  json_builder_add_int_value (builder, data.unresolved);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "tallies");
  json_builder_begin_array (builder);
  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = g_ptr_array_index (keys, i);
      gint64 n = *(gint64 *) g_hash_table_lookup (groups, key);
      g_auto(GStrv) parts = g_strsplit (key, "\x1f", 3);
      ModelSummary *a = get_summary (models, parts[0]);
      ModelSummary *b = get_summary (models, parts[1]);
      KaWinner winner = KA_WINNER_TIE;

      ka_winner_from_string (parts[2], &winner);
      a->battles += n;
      b->battles += n;
      switch (winner)
        {
        case KA_WINNER_MODEL_A:
          a->wins += n;
          b->losses += n;
          break;
        case KA_WINNER_MODEL_B:
          b->wins += n;
          a->losses += n;
          break;
        case KA_WINNER_TIE:
          a->ties += n;
          b->ties += n;
          break;
        case KA_WINNER_BOTH_BAD:
        default:
          a->both_bad += n;
          b->both_bad += n;
          break;
        }

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "model_a");
      json_builder_add_string_value (builder, parts[0]);
      json_builder_set_member_name (builder, "model_b");
      json_builder_add_string_value (builder, parts[1]);
      json_builder_set_member_name (builder, "winner");
      json_builder_add_string_value (builder, parts[2]);
      json_builder_set_member_name (builder, "count");
      json_builder_add_int_value (builder, n);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  names = sorted_keys (models);
  json_builder_set_member_name (builder, "models");
  json_builder_begin_array (builder);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      const ModelSummary *s = g_hash_table_lookup (models, name);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "model");
      json_builder_add_string_value (builder, name);
      json_builder_set_member_name (builder, "battles");
      json_builder_add_int_value (builder, s->battles);
      json_builder_set_member_name (builder, "wins");
      json_builder_add_int_value (builder, s->wins);
      json_builder_set_member_name (builder, "losses");
      json_builder_add_int_value (builder, s->losses);
      json_builder_set_member_name (builder, "ties");
      json_builder_add_int_value (builder, s->ties);
      json_builder_set_member_name (builder, "both_bad");
      json_builder_add_int_value (builder, s->both_bad);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  respond_builder (msg, SOUP_STATUS_OK, builder);
}

/* CSV cell: RFC 4180 quoting, and a leading apostrophe on text that a spreadsheet would
 * run as a formula (OWASP "CSV injection"). Hashes and IDs never start that way. */
static void
append_csv_cell (GString    *out,
                 const char *value)
{
  if (value == NULL)
    return;

  if (value[0] != '\0' && strchr ("=+-@\t\r", value[0]) != NULL)
    {
      g_string_append (out, "\"'");
    }
  else if (strpbrk (value, ",\"\r\n") != NULL)
    g_string_append_c (out, '"');
  else
    {
      g_string_append (out, value);
      return;
    }

  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static const char * const csv_columns[] = {
  "ballot_id", "device_id", "device_kind", "seq", "pack_id", "prompt_id", "response_a",
  "response_b", "model_a", "model_b", "winner", "mode", "identity_flag", "voted_at",
  "received_at", "hash",
};

typedef struct
{
  KaCollector *self;
  GString     *out;
} ExportData;

static gboolean
export_csv_row_cb (const KaCollectorBallotRow *row,
                   gpointer                    user_data)
{
  ExportData *data = user_data;
  GString *out = data->out;
  const char *model_a = row->model_a;
  const char *model_b = row->model_b;
  char seq[32];

  /* Names not stored at receipt (the pack was loaded later) come from the loaded packs,
   * through the seal map for a citizen's sealed response IDs. */
  if (model_a == NULL || model_b == NULL)
    {
      KaBallot probe = {
        .pack_id = (char *) row->pack_id,
        .prompt_id = (char *) row->prompt_id,
        .response_a = (char *) row->response_a,
        .response_b = (char *) row->response_b,
      };

      resolve_models (data->self, &probe, &model_a, &model_b);
    }

  g_snprintf (seq, sizeof seq, "%" G_GINT64_FORMAT, row->seq);
  {
    const char *cells[] = {
      row->ballot_id, row->device_id, row->device_kind, seq, row->pack_id, row->prompt_id,
      row->response_a, row->response_b, model_a, model_b, row->winner, row->mode,
      row->identity_flag ? "true" : "false", row->voted_at, row->received_at, row->hash,
    };

    G_STATIC_ASSERT (G_N_ELEMENTS (cells) == G_N_ELEMENTS (csv_columns));
    for (guint i = 0; i < G_N_ELEMENTS (cells); i++)
      {
        if (i > 0)
          g_string_append_c (out, ',');
        append_csv_cell (out, cells[i]);
      }
  }
  g_string_append (out, "\r\n");
  return TRUE;
}

static gboolean
export_jsonl_row_cb (const KaCollectorBallotRow *row,
                     gpointer                    user_data)
{
  GString *out = ((ExportData *) user_data)->out;

  g_string_append (out, row->canonical);
  g_string_append_c (out, '\n');
  return TRUE;
}

static void
handle_export (KaCollector       *self,
               SoupServerMessage *msg,
               GHashTable        *query)
{
  static const char * const allowed[] = { "format", NULL };
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  ExportData export_data;
  const char *format;
  gboolean csv;
  GString *out;

  if (!authenticate_organiser (self, msg) || !check_query (msg, query, allowed))
    return;

  format = query != NULL ? g_hash_table_lookup (query, "format") : NULL;
  if (format == NULL || strcmp (format, "jsonl") == 0)
    csv = FALSE;
  else if (strcmp (format, "csv") == 0)
    csv = TRUE;
  else
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                     "query parameter 'format' must be jsonl or csv");
      return;
    }

  out = g_string_new (NULL);
  if (csv)
    {
      /* A byte-order mark so that Korean Excel reads UTF-8 (DESIGN.md §9). */
      g_string_append (out, "\xef\xbb\xbf");
      for (guint i = 0; i < G_N_ELEMENTS (csv_columns); i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          g_string_append (out, csv_columns[i]);
        }
      g_string_append (out, "\r\n");
    }

  export_data.self = self;
  export_data.out = out;
  if (!ka_collector_db_foreach_ballot (self->db,
                                       csv ? export_csv_row_cb : export_jsonl_row_cb,
                                       &export_data, &error))
    {
      g_string_free (out, TRUE);
      respond_db_error (msg, error);
      return;
    }

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "Content-Disposition",
                                csv ? "attachment; filename=\"ballots.csv\""
                                    : "attachment; filename=\"ballots.jsonl\"");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  {
    gsize length = out->len;

    soup_server_message_set_response (msg,
                                      csv ? "text/csv; charset=utf-8" : "application/jsonl",
                                      SOUP_MEMORY_TAKE, g_string_free (out, FALSE), length);
  }
}

/* GET /v1/seal-maps: for each loaded open pack, its sealed response IDs → its own, so the
 * organisers' tools name the models of citizens' ballots from the open pack they hold. The
 * map is the seal: it goes to the organiser token only, never into a log. */
static void
handle_seal_maps (KaCollector       *self,
                  SoupServerMessage *msg,
                  GHashTable        *query)
{
  static const char * const allowed[] = { NULL };
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GPtrArray) pack_ids = NULL;

  if (!authenticate_organiser (self, msg) || !check_query (msg, query, allowed))
    return;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "seal_maps");
  json_builder_begin_object (builder);
  pack_ids = sorted_keys (self->packs);
  for (guint i = 0; i < pack_ids->len; i++)
    {
      const char *pack_id = g_ptr_array_index (pack_ids, i);
      GHashTable *aliases = ka_pack_get_response_aliases (g_hash_table_lookup (self->packs,
                                                                               pack_id));
      g_autoptr(GPtrArray) sealed_ids = NULL;

      if (aliases == NULL)
        continue;
      json_builder_set_member_name (builder, pack_id);
      json_builder_begin_object (builder);
      sealed_ids = sorted_keys (aliases);
      for (guint j = 0; j < sealed_ids->len; j++)
        {
          const char *sealed_id = g_ptr_array_index (sealed_ids, j);

          json_builder_set_member_name (builder, sealed_id);
          json_builder_add_string_value (builder, g_hash_table_lookup (aliases, sealed_id));
        }
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  respond_builder (msg, SOUP_STATUS_OK, builder);
}

static void
handle_health (KaCollector       *self,
               SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "ok");
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_end_object (builder);

  respond_builder (msg, SOUP_STATUS_OK, builder);
}

/* Routing ------------------------------------------------------------------------------ */

static gboolean
method_is (SoupServerMessage *msg,
           const char        *method)
{
  return strcmp (soup_server_message_get_method (msg), method) == 0;
}

static gboolean
is_get (SoupServerMessage *msg)
{
  return method_is (msg, SOUP_METHOD_GET) || method_is (msg, SOUP_METHOD_HEAD);
}

/* "/v1/devices/{id}/chain" → "{id}" (one non-empty segment), else NULL. */
static char *
match_chain_path (const char *path)
{
  const char *prefix = "/v1/devices/";
  const char *suffix = "/chain";
  const char *id;
  gsize id_length;

  if (!g_str_has_prefix (path, prefix) || !g_str_has_suffix (path, suffix))
    return NULL;

  id = path + strlen (prefix);
  if (strlen (id) <= strlen (suffix))
    return NULL;
  id_length = strlen (id) - strlen (suffix);
  if (memchr (id, '/', id_length) != NULL)
    return NULL;

  return g_strndup (id, id_length);
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  KaCollector *self = user_data;
  g_autofree char *chain_device = NULL;

  /* One request per connection. libsoup 3.2 (Debian 12) never notices that a client
   * closed an idle keep-alive connection, so each one would leak its socket until the
   * process runs out of file descriptors (fixed upstream in libsoup 3.3). */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");

  if (g_object_get_data (G_OBJECT (msg), BODY_TOO_LARGE) != NULL)
    respond_too_large (msg);
  else if (strcmp (path, "/v1/devices") == 0)
    {
      if (method_is (msg, SOUP_METHOD_POST))
        handle_enrol (self, msg);
      else
        respond_method_not_allowed (msg, "POST");
    }
  else if (strcmp (path, "/v1/packs/current") == 0)
    {
      if (is_get (msg))
        handle_pack (self, msg);
      else
        respond_method_not_allowed (msg, "GET, HEAD");
    }
  else if (strcmp (path, "/v1/ballots") == 0)
    {
      if (method_is (msg, SOUP_METHOD_POST))
        handle_upload (self, msg);
      else if (is_get (msg))
        handle_export (self, msg, query);
      else
        respond_method_not_allowed (msg, "GET, HEAD, POST");
    }
  else if (strcmp (path, "/v1/tallies") == 0)
    {
      if (is_get (msg))
        handle_tallies (self, msg, query);
      else
        respond_method_not_allowed (msg, "GET, HEAD");
    }
  else if (strcmp (path, "/v1/seal-maps") == 0)
    {
      if (is_get (msg))
        handle_seal_maps (self, msg, query);
      else
        respond_method_not_allowed (msg, "GET, HEAD");
    }
  else if (strcmp (path, "/v1/health") == 0)
    {
      if (is_get (msg))
        handle_health (self, msg);
      else
        respond_method_not_allowed (msg, "GET, HEAD");
    }
  else if ((chain_device = match_chain_path (path)) != NULL)
    {
      if (is_get (msg))
        handle_chain (self, msg, chain_device);
      else
        respond_method_not_allowed (msg, "GET, HEAD");
    }
  else
    respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "no such endpoint");

  /* Never the headers or the body: they hold tokens. */
  g_debug ("%s %s → %u", soup_server_message_get_method (msg), path,
           soup_server_message_get_status (msg));
}

/* Public API --------------------------------------------------------------------------- */

/**
 * ka_collector_new:
 * @db: the collector database
 *
 * Creates a collector over @db. It serves nothing until ka_collector_listen().
 *
 * Returns: (transfer full): a new #KaCollector.
 */
KaCollector *
ka_collector_new (KaCollectorDb *db)
{
  KaCollector *self;

  g_return_val_if_fail (KA_IS_COLLECTOR_DB (db), NULL);

  self = g_object_new (KA_TYPE_COLLECTOR, NULL);
  self->db = g_object_ref (db);
  self->server = soup_server_new ("server-header", "kai-arena-collector/" PACKAGE_VERSION " ",
                                  NULL);
  soup_server_add_early_handler (self->server, NULL, early_handler_cb, self, NULL);
  soup_server_add_handler (self->server, NULL, handler_cb, self, NULL);

  return self;
}

/**
 * ka_collector_set_enrolment_code:
 * @self: a #KaCollector
 * @code: (nullable): the organisers' kiosk enrolment code; %NULL enrols no kiosk. Only
 *   its SHA-256 is kept.
 */
void
ka_collector_set_enrolment_code (KaCollector *self,
                                 const char  *code)
{
  g_return_if_fail (KA_IS_COLLECTOR (self));

  g_free (self->enrolment_code_sha256);
  self->enrolment_code_sha256 = code != NULL ? sha256_hex (code) : NULL;
}

/**
 * ka_collector_set_organiser_token:
 * @self: a #KaCollector
 * @token: (nullable): the organisers' bearer token; %NULL disables the organiser
 *   endpoints. Only its SHA-256 is kept.
 */
void
ka_collector_set_organiser_token (KaCollector *self,
                                  const char  *token)
{
  g_return_if_fail (KA_IS_COLLECTOR (self));

  g_free (self->organiser_token_sha256);
  self->organiser_token_sha256 = token != NULL ? sha256_hex (token) : NULL;
}

/**
 * ka_collector_set_citizen_enrolments_per_hour:
 * @self: a #KaCollector
 * @per_hour: enrolments allowed per client address and hour (also the burst); 0 for no
 *   limit
 */
void
ka_collector_set_citizen_enrolments_per_hour (KaCollector *self,
                                              guint        per_hour)
{
  g_return_if_fail (KA_IS_COLLECTOR (self));

  self->citizen_per_hour = per_hour;
  g_hash_table_remove_all (self->rate_buckets);
}

/**
 * ka_collector_set_seal_key:
 * @self: a #KaCollector
 * @key: (nullable): the seal key (ka_pack_seal_key_load()); %NULL to seal no pack
 *
 * Sets the key under which open packs added afterwards are sealed for citizen devices
 * (ka_pack_seal()). Collectors that serve the same devices need the same key.
 */
void
ka_collector_set_seal_key (KaCollector *self,
                           GBytes      *key)
{
  g_return_if_fail (KA_IS_COLLECTOR (self));

  g_clear_pointer (&self->seal_key, g_bytes_unref);
  self->seal_key = key != NULL ? g_bytes_ref (key) : NULL;
}

static void
make_variant (KaPack      *pack,
              PackVariant *variant)
{
  pack_variant_clear (variant);
  variant->body = g_bytes_ref (ka_pack_get_bytes (pack));
  /* The ETag is the content hash a client computes when it loads this body. */
  variant->etag = g_strdup_printf ("\"%s\"", ka_pack_get_content_hash (pack));
}

/**
 * ka_collector_add_pack:
 * @self: a #KaCollector
 * @pack: a validated pack, open (with models) to let the collector reveal names
 * @stats: (out caller-allocates) (optional): what sealing left out; zeros for a pack given
 *   sealed
 * @error: return location for a #KaPackSealError or #KaPackError
 *
 * Makes @pack the current pack (GET /v1/packs/current) and adds it to the packs used to
 * reveal model names in receipts and tallies; packs added earlier stay known for that. A
 * second pack with the same `pack_id` replaces the first.
 *
 * An open @pack is served as it is to enrolled kiosks, and sealed with the key of
 * ka_collector_set_seal_key() (required) for everybody else: ka_pack_seal() gives the
 * sealed copy and the private map from its response IDs back to @pack's, which reveals
 * and tallies go through. A pack given sealed is served as it is to everybody.
 *
 * Returns: %TRUE on success.
 */
gboolean
ka_collector_add_pack (KaCollector      *self,
                       KaPack           *pack,
                       KaPackSealStats  *stats,
                       GError          **error)
{
  g_autoptr(KaPack) sealed_pack = NULL;
  g_autoptr(GHashTable) seal_map = NULL;
  KaPackSealStats s = { 0, };

  g_return_val_if_fail (KA_IS_COLLECTOR (self), FALSE);
  g_return_val_if_fail (KA_IS_PACK (pack), FALSE);

  if (ka_pack_is_sealed (pack))
    sealed_pack = g_object_ref (pack);
  else if (self->seal_key == NULL)
    {
      g_set_error (error, KA_PACK_SEAL_ERROR, KA_PACK_SEAL_ERROR_KEY,
                   "cannot serve pack %s: an open pack is sealed for citizen devices, and "
                   "that needs a seal key", ka_pack_get_id (pack));
      return FALSE;
    }
  else
    {
      sealed_pack = ka_pack_seal (pack, self->seal_key, &seal_map, &s, error);
      if (sealed_pack == NULL)
        {
          g_prefix_error (error, "cannot seal pack %s: ", ka_pack_get_id (pack));
          return FALSE;
        }
    }

  make_variant (sealed_pack, &self->sealed);
  make_variant (pack, &self->open);

  if (!ka_pack_is_sealed (pack))
    ka_pack_set_response_aliases (pack, seal_map);
  g_set_object (&self->current_pack, pack);
  g_hash_table_replace (self->packs, g_strdup (ka_pack_get_id (pack)), g_object_ref (pack));

  if (stats != NULL)
    *stats = s;
  return TRUE;
}

/**
 * ka_collector_listen:
 * @self: a #KaCollector
 * @address: where to listen; port 0 picks a free port
 * @certificate: (nullable): serve HTTPS with this certificate (and its private key)
 * @error: return location for a #GError
 *
 * Starts serving on @address. The caller decides whether plain HTTP is acceptable (the
 * protocol allows it on loopback only); see kai-arena-collector's option checks.
 *
 * Returns: %TRUE if listening.
 */
gboolean
ka_collector_listen (KaCollector         *self,
                     GInetSocketAddress  *address,
                     GTlsCertificate     *certificate,
                     GError             **error)
{
  SoupServerListenOptions options = 0;

  g_return_val_if_fail (KA_IS_COLLECTOR (self), FALSE);
  g_return_val_if_fail (G_IS_INET_SOCKET_ADDRESS (address), FALSE);

  if (certificate != NULL)
    {
      soup_server_set_tls_certificate (self->server, certificate);
      options |= SOUP_SERVER_LISTEN_HTTPS;
    }

  return soup_server_listen (self->server, G_SOCKET_ADDRESS (address), options, error);
}

/**
 * ka_collector_get_url:
 * @self: a #KaCollector
 *
 * Returns: (transfer full) (nullable): the base URL the collector listens on, with the
 *   port actually bound, e.g. `http://127.0.0.1:40123/`; %NULL before listening.
 */
char *
ka_collector_get_url (KaCollector *self)
{
  GSList *uris;
  char *url = NULL;

  g_return_val_if_fail (KA_IS_COLLECTOR (self), NULL);

  uris = soup_server_get_uris (self->server);
  if (uris != NULL)
    url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return url;
}

/**
 * ka_collector_disconnect:
 * @self: a #KaCollector
 *
 * Stops listening and closes every connection.
 */
void
ka_collector_disconnect (KaCollector *self)
{
  g_return_if_fail (KA_IS_COLLECTOR (self));

  soup_server_disconnect (self->server);
}
