/* ka-ballot.c: the ballot record, its canonical JSON and the per-device hash chain
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/ballots.md is the normative description of everything in this file; keep the two
 * in step.
 */

#define G_LOG_DOMAIN "ka-ballot"

#include "config.h"

#include <string.h>

#include "ka-ballot.h"
#include "ka-pack.h"

G_DEFINE_QUARK (ka-ballot-error-quark, ka_ballot_error)

G_DEFINE_BOXED_TYPE (KaBallot, ka_ballot, ka_ballot_copy, ka_ballot_free)

/* Longest ui_language accepted: the longest common BCP 47 tags fit with room to spare. */
#define MAX_LANGUAGE_BYTES 35

static const char * const winner_names[] = {
  [KA_WINNER_MODEL_A] = "model_a",
  [KA_WINNER_MODEL_B] = "model_b",
  [KA_WINNER_TIE] = "tie",
  [KA_WINNER_BOTH_BAD] = "both_bad",
};

static const char * const mode_names[] = {
  [KA_MODE_CITIZEN] = "citizen",
  [KA_MODE_KIOSK] = "kiosk",
};

/* Every member of the JSON form of a ballot (DESIGN.md §4), in byte order. */
static const char * const ballot_members[] = {
  "ballot_id", "decision_ms", "device_id", "hash", "identity_flag", "mode", "pack_id",
  "prev_hash", "prompt_id", "response_a", "response_b", "seq", "session_id", "shown_at",
  "ui_language", "voted_at", "winner",
};

/**
 * ka_winner_to_string:
 * @winner: a #KaWinner
 *
 * Returns: (transfer none) (nullable): `model_a`, `model_b`, `tie` or `both_bad`, or %NULL
 *   for a value outside the enumeration.
 */
const char *
ka_winner_to_string (KaWinner winner)
{
  if ((guint) winner >= G_N_ELEMENTS (winner_names))
    return NULL;
  return winner_names[winner];
}

/**
 * ka_winner_from_string:
 * @str: (nullable): one of `model_a`, `model_b`, `tie`, `both_bad` (exact, case-sensitive)
 * @winner: (out) (optional): where to store the value
 *
 * Returns: %TRUE if @str names a winner; @winner is left alone otherwise.
 */
gboolean
ka_winner_from_string (const char *str,
                       KaWinner   *winner)
{
  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (winner_names); i++)
    {
      if (strcmp (str, winner_names[i]) == 0)
        {
          if (winner != NULL)
            *winner = (KaWinner) i;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * ka_mode_to_string:
 * @mode: a #KaMode
 *
 * Returns: (transfer none) (nullable): `citizen` or `kiosk`, or %NULL for a value outside
 *   the enumeration.
 */
const char *
ka_mode_to_string (KaMode mode)
{
  if ((guint) mode >= G_N_ELEMENTS (mode_names))
    return NULL;
  return mode_names[mode];
}

/**
 * ka_mode_from_string:
 * @str: (nullable): `citizen` or `kiosk` (exact, case-sensitive)
 * @mode: (out) (optional): where to store the value
 *
 * Returns: %TRUE if @str names a mode; @mode is left alone otherwise.
 */
gboolean
ka_mode_from_string (const char *str,
                     KaMode     *mode)
{
  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (mode_names); i++)
    {
      if (strcmp (str, mode_names[i]) == 0)
        {
          if (mode != NULL)
            *mode = (KaMode) i;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * ka_ballot_new:
 *
 * Creates an empty ballot: every string %NULL, numbers 0, `winner` model_a, `mode` citizen.
 *
 * Returns: (transfer full): a new #KaBallot; free with ka_ballot_free().
 */
KaBallot *
ka_ballot_new (void)
{
  return g_new0 (KaBallot, 1);
}

/**
 * ka_ballot_copy:
 * @self: a #KaBallot
 *
 * Returns: (transfer full): a deep copy of @self.
 */
KaBallot *
ka_ballot_copy (const KaBallot *self)
{
  KaBallot *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (KaBallot, 1);
  copy->ballot_id = g_strdup (self->ballot_id);
  copy->device_id = g_strdup (self->device_id);
  copy->session_id = g_strdup (self->session_id);
  copy->seq = self->seq;
  copy->pack_id = g_strdup (self->pack_id);
  copy->prompt_id = g_strdup (self->prompt_id);
  copy->response_a = g_strdup (self->response_a);
  copy->response_b = g_strdup (self->response_b);
  copy->winner = self->winner;
  copy->shown_at = g_strdup (self->shown_at);
  copy->voted_at = g_strdup (self->voted_at);
  copy->decision_ms = self->decision_ms;
  copy->mode = self->mode;
  copy->ui_language = g_strdup (self->ui_language);
  copy->identity_flag = self->identity_flag;
  copy->prev_hash = g_strdup (self->prev_hash);
  copy->hash = g_strdup (self->hash);

  return copy;
}

/**
 * ka_ballot_free:
 * @self: (nullable): a #KaBallot
 *
 * Frees @self and every string it owns.
 */
void
ka_ballot_free (KaBallot *self)
{
  if (self == NULL)
    return;

  g_free (self->ballot_id);
  g_free (self->device_id);
  g_free (self->session_id);
  g_free (self->pack_id);
  g_free (self->prompt_id);
  g_free (self->response_a);
  g_free (self->response_b);
  g_free (self->shown_at);
  g_free (self->voted_at);
  g_free (self->ui_language);
  g_free (self->prev_hash);
  g_free (self->hash);
  g_free (self);
}

/* Canonical JSON (docs/ballots.md, "Canonical JSON"): object members sorted by the bytes
 * of their UTF-8 keys, no whitespace, the minimal RFC 8259 string escapes, integers in
 * decimal. Written for any JsonNode so that to_json() and the hash can never disagree. */

static void
append_canonical_string (GString    *out,
                         const char *str)
{
  g_string_append_c (out, '"');
  for (const char *p = str; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"')
        g_string_append (out, "\\\"");
      else if (c == '\\')
        g_string_append (out, "\\\\");
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  /* strcmp() compares as unsigned char: byte order of the UTF-8 encoding. */
  return strcmp (a, b);
}

static void
append_canonical_node (GString  *out,
                       JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_NULL:
      g_string_append (out, "null");
      break;

    case JSON_NODE_VALUE:
      {
        GType type = json_node_get_value_type (node);

        if (type == G_TYPE_STRING)
          append_canonical_string (out, json_node_get_string (node));
        else if (type == G_TYPE_BOOLEAN)
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
        else if (type == G_TYPE_INT64)
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
        else
          g_assert_not_reached ();   /* a ballot has no floating-point member */
      }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            append_canonical_node (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
      }
      break;

    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        GList *members = g_list_sort (json_object_get_members (object), compare_keys);

        g_string_append_c (out, '{');
        for (GList *l = members; l != NULL; l = l->next)
          {
            if (l != members)
              g_string_append_c (out, ',');
            append_canonical_string (out, l->data);
            g_string_append_c (out, ':');
            append_canonical_node (out, json_object_get_member (object, l->data));
          }
        g_string_append_c (out, '}');
        g_list_free (members);
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
set_string_member (JsonObject *object,
                   const char *name,
                   const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, name, value);
  else
    json_object_set_null_member (object, name);
}

static JsonNode *
build_json (const KaBallot *self,
            gboolean        with_hash)
{
  g_autoptr(JsonObject) object = json_object_new ();
  JsonNode *node;

  set_string_member (object, "ballot_id", self->ballot_id);
  set_string_member (object, "device_id", self->device_id);
  set_string_member (object, "session_id", self->session_id);
  json_object_set_int_member (object, "seq", self->seq);
  set_string_member (object, "pack_id", self->pack_id);
  set_string_member (object, "prompt_id", self->prompt_id);
  set_string_member (object, "response_a", self->response_a);
  set_string_member (object, "response_b", self->response_b);
  set_string_member (object, "winner", ka_winner_to_string (self->winner));
  set_string_member (object, "shown_at", self->shown_at);
  set_string_member (object, "voted_at", self->voted_at);
  json_object_set_int_member (object, "decision_ms", self->decision_ms);
  set_string_member (object, "mode", ka_mode_to_string (self->mode));
  set_string_member (object, "ui_language", self->ui_language);
  json_object_set_boolean_member (object, "identity_flag", self->identity_flag);
  set_string_member (object, "prev_hash", self->prev_hash);
  if (with_hash)
    set_string_member (object, "hash", self->hash);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);
  return node;
}

/**
 * ka_ballot_canonical_json:
 * @self: a #KaBallot
 * @with_hash: whether to include the `hash` member
 *
 * Serialises @self as canonical JSON (docs/ballots.md): one object holding the DESIGN.md §4
 * members, keys sorted by byte order, no whitespace, strings with only `\"`, `\\` and
 * `\u00xx` (lowercase hex, for bytes below 0x20) escaped and everything else raw UTF-8,
 * integers in decimal, booleans `true`/`false`. A %NULL string member is written `null`.
 * With @with_hash %FALSE this is exactly the text that `hash` is computed over.
 *
 * Returns: (transfer full): a UTF-8 string with no trailing newline.
 */
char *
ka_ballot_canonical_json (const KaBallot *self,
                          gboolean        with_hash)
{
  g_autoptr(JsonNode) node = NULL;
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  node = build_json (self, with_hash);
  out = g_string_sized_new (512);
  append_canonical_node (out, node);
  return g_string_free (out, FALSE);
}

/**
 * ka_ballot_compute_hash:
 * @self: a #KaBallot
 *
 * Computes the hash that the `hash` member of @self should hold: SHA-256 over the UTF-8
 * bytes of ka_ballot_canonical_json (@self, %FALSE). The current value of `hash` plays no
 * part.
 *
 * Returns: (transfer full): 64 lowercase hexadecimal digits.
 */
char *
ka_ballot_compute_hash (const KaBallot *self)
{
  g_autofree char *json = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  json = ka_ballot_canonical_json (self, FALSE);
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, json, -1);
}

/**
 * ka_ballot_verify_hash:
 * @self: a #KaBallot
 *
 * Returns: %TRUE if `hash` is set and equals ka_ballot_compute_hash() of @self, that is the
 *   ballot was not altered after it was sealed.
 */
gboolean
ka_ballot_verify_hash (const KaBallot *self)
{
  g_autofree char *expected = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->hash == NULL)
    return FALSE;

  expected = ka_ballot_compute_hash (self);
  return strcmp (expected, self->hash) == 0;
}

/**
 * ka_ballot_to_json:
 * @self: a #KaBallot
 *
 * Builds the JSON form of @self: an object with the 17 members of DESIGN.md §4 (including
 * `hash`); %NULL strings become JSON `null`. Serialise it with ka_ballot_canonical_json()
 * when the bytes matter; any JSON writer gives a document ka_ballot_new_from_json() reads.
 *
 * Returns: (transfer full): a new object node.
 */
JsonNode *
ka_ballot_to_json (const KaBallot *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return build_json (self, TRUE);
}

/* Validation. */

static gboolean
is_lower_hex_hash (const char *str)
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

static gboolean
check_id (const char  *field,
          const char  *value,
          GError     **error)
{
  if (value == NULL || value[0] == '\0')
    {
      g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                   "ballot field '%s' is missing or empty", field);
      return FALSE;
    }

  if (strlen (value) > KA_PACK_MAX_ID_BYTES)
    {
      g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                   "ballot field '%s' is longer than %d bytes", field, KA_PACK_MAX_ID_BYTES);
      return FALSE;
    }

  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                   "ballot field '%s' is not valid UTF-8", field);
      return FALSE;
    }

  for (const char *p = value; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        {
          g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                       "ballot field '%s' contains a control character", field);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
check_timestamp (const char  *field,
                 const char  *value,
                 GError     **error)
{
  g_autoptr(GDateTime) dt = NULL;
  gsize len;

  if (value == NULL || value[0] == '\0')
    {
      g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                   "ballot field '%s' is missing or empty", field);
      return FALSE;
    }

  len = strlen (value);
  if (len > 40 || value[len - 1] != 'Z' || strchr (value, 'T') == NULL)
    {
      g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                   "ballot field '%s': '%.40s' is not an RFC 3339 UTC time "
                   "(YYYY-MM-DDTHH:MM:SS.sssZ)", field, value);
      return FALSE;
    }

  dt = g_date_time_new_from_iso8601 (value, NULL);
  if (dt == NULL)
    {
      g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                   "ballot field '%s': '%s' is not a valid RFC 3339 time", field, value);
      return FALSE;
    }

  return TRUE;
}

/**
 * ka_ballot_validate:
 * @self: a #KaBallot
 * @with_hash: whether `hash` must be present and well formed too
 * @error: return location for a #KA_BALLOT_ERROR_INVALID error naming the field
 *
 * Checks every field of @self against docs/ballots.md: `ballot_id` a UUID; `device_id`,
 * `session_id`, `pack_id`, `prompt_id`, `response_a`, `response_b` non-empty UTF-8 of at
 * most 128 bytes without control characters, with `response_a` ≠ `response_b`; `seq` ≥ 1;
 * `winner` and `mode` in their enumerations; `shown_at` and `voted_at` RFC 3339 times in
 * UTC (`Z`); `decision_ms` ≥ 0; `ui_language` a language tag (letters, digits, `-`, at
 * most 35 bytes); `prev_hash` (and `hash` if @with_hash) 64 lowercase hex digits. It does
 * not check that `hash` matches the content: see ka_ballot_verify_hash().
 *
 * Returns: %TRUE if @self is well formed.
 */
gboolean
ka_ballot_validate (const KaBallot  *self,
                    gboolean         with_hash,
                    GError         **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->ballot_id == NULL || !g_uuid_string_is_valid (self->ballot_id))
    {
      g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                   "ballot field 'ballot_id': '%.40s' is not a UUID",
                   self->ballot_id ? self->ballot_id : "(null)");
      return FALSE;
    }

  if (!check_id ("device_id", self->device_id, error) ||
      !check_id ("session_id", self->session_id, error) ||
      !check_id ("pack_id", self->pack_id, error) ||
      !check_id ("prompt_id", self->prompt_id, error) ||
      !check_id ("response_a", self->response_a, error) ||
      !check_id ("response_b", self->response_b, error))
    return FALSE;

  if (strcmp (self->response_a, self->response_b) == 0)
    {
      g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                   "ballot fields 'response_a' and 'response_b' are the same response '%s'",
                   self->response_a);
      return FALSE;
    }

  if (self->seq < 1)
    {
      g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                   "ballot field 'seq': %" G_GINT64_FORMAT " is not a positive integer",
                   self->seq);
      return FALSE;
    }

  if (ka_winner_to_string (self->winner) == NULL)
    {
      g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                   "ballot field 'winner': %d is not a KaWinner", (int) self->winner);
      return FALSE;
    }

  if (ka_mode_to_string (self->mode) == NULL)
    {
      g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                   "ballot field 'mode': %d is not a KaMode", (int) self->mode);
      return FALSE;
    }

  if (!check_timestamp ("shown_at", self->shown_at, error) ||
      !check_timestamp ("voted_at", self->voted_at, error))
    return FALSE;

  if (self->decision_ms < 0)
    {
      g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                   "ballot field 'decision_ms': %" G_GINT64_FORMAT " is negative",
                   self->decision_ms);
      return FALSE;
    }

  if (self->ui_language == NULL || self->ui_language[0] == '\0' ||
      strlen (self->ui_language) > MAX_LANGUAGE_BYTES ||
      strspn (self->ui_language,
              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
        != strlen (self->ui_language))
    {
      g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                   "ballot field 'ui_language': '%.40s' is not a language tag",
                   self->ui_language ? self->ui_language : "(null)");
      return FALSE;
    }

  if (!is_lower_hex_hash (self->prev_hash))
    {
      g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                   "ballot field 'prev_hash' is not 64 lowercase hexadecimal digits");
      return FALSE;
    }

  if (with_hash && !is_lower_hex_hash (self->hash))
    {
      g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                   "ballot field 'hash' is not 64 lowercase hexadecimal digits");
      return FALSE;
    }

  return TRUE;
}

/* JSON reading helpers: each names the member in its error. */

static JsonNode *
get_member (JsonObject  *object,
            const char  *name,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                 "ballot field '%s' is missing", name);
  return node;
}

static gboolean
read_string (JsonObject  *object,
             const char  *name,
             char       **out,
             GError     **error)
{
  JsonNode *node = get_member (object, name, error);

  if (node == NULL)
    return FALSE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                   "ballot field '%s' must be a string", name);
      return FALSE;
    }

  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
read_int (JsonObject  *object,
          const char  *name,
          gint64      *out,
          GError     **error)
{
  JsonNode *node = get_member (object, name, error);

  if (node == NULL)
    return FALSE;

  /* json-glib reads 42 as gint64 and 42.0 or 4.2e1 as double: only the former is an
   * integer in canonical form. */
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                   "ballot field '%s' must be an integer", name);
      return FALSE;
    }

  *out = json_node_get_int (node);
  return TRUE;
}

/**
 * ka_ballot_new_from_json:
 * @node: a JSON object node, as made by ka_ballot_to_json() or parsed from a document
 * @error: return location for a #KA_BALLOT_ERROR_INVALID error naming the field
 *
 * Reads a ballot strictly: @node must be an object holding exactly the 17 members of
 * DESIGN.md §4 with the right JSON types (strings, integers without fraction or exponent,
 * a boolean), no unknown member, and values that pass ka_ballot_validate() with the hash.
 * The one extra member tolerated is `delivery` (`pending`, `delivered` or `rejected`), as
 * `kai-arena-admin ballots` writes it; it is checked and ignored.
 * It does not check that `hash` matches the content (an altered ballot is still read, so
 * that ka_ballot_chain_verify() can report it): call ka_ballot_verify_hash() for that.
 *
 * Returns: (transfer full) (nullable): the ballot, or %NULL with @error set.
 */
KaBallot *
ka_ballot_new_from_json (JsonNode  *node,
                         GError   **error)
{
  g_autoptr(KaBallot) ballot = NULL;
  g_autofree char *winner = NULL;
  g_autofree char *mode = NULL;
  JsonObject *object;
  JsonNode *flag;
  GList *members;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                   "a ballot must be a JSON object");
      return NULL;
    }

  object = json_node_get_object (node);

  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      if (!g_strv_contains ((const char * const *) ballot_members, l->data) &&
          !g_str_equal (l->data, "delivery"))
        {
          g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                       "ballot field '%s' is not a ballot field", (const char *) l->data);
          g_list_free (members);
          return NULL;
        }
    }
  g_list_free (members);

  /* The one annotation tolerated beside the 17 members: the outbox state that
   * `kai-arena-admin ballots` adds. It is checked, then ignored (it is not hashed). */
  if (json_object_has_member (object, "delivery"))
    {
      JsonNode *delivery = json_object_get_member (object, "delivery");
      const char *value = NULL;

      if (JSON_NODE_HOLDS_VALUE (delivery) &&
          json_node_get_value_type (delivery) == G_TYPE_STRING)
        value = json_node_get_string (delivery);
      if (!g_strv_contains ((const char * const[]) { "pending", "delivered", "rejected", NULL },
                            value ? value : ""))
        {
          g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                       "ballot field 'delivery' must be pending, delivered or rejected");
          return NULL;
        }
    }

  ballot = ka_ballot_new ();

  if (!read_string (object, "ballot_id", &ballot->ballot_id, error) ||
      !read_string (object, "device_id", &ballot->device_id, error) ||
      !read_string (object, "session_id", &ballot->session_id, error) ||
      !read_int (object, "seq", &ballot->seq, error) ||
      !read_string (object, "pack_id", &ballot->pack_id, error) ||
      !read_string (object, "prompt_id", &ballot->prompt_id, error) ||
      !read_string (object, "response_a", &ballot->response_a, error) ||
      !read_string (object, "response_b", &ballot->response_b, error) ||
      !read_string (object, "winner", &winner, error) ||
      !read_string (object, "shown_at", &ballot->shown_at, error) ||
      !read_string (object, "voted_at", &ballot->voted_at, error) ||
      !read_int (object, "decision_ms", &ballot->decision_ms, error) ||
      !read_string (object, "mode", &mode, error) ||
      !read_string (object, "ui_language", &ballot->ui_language, error) ||
      !read_string (object, "prev_hash", &ballot->prev_hash, error) ||
      !read_string (object, "hash", &ballot->hash, error))
    return NULL;

  if (!ka_winner_from_string (winner, &ballot->winner))
    {
      g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                   "ballot field 'winner': '%.40s' is not one of model_a, model_b, tie, "
                   "both_bad", winner);
      return NULL;
    }

  if (!ka_mode_from_string (mode, &ballot->mode))
    {
      g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                   "ballot field 'mode': '%.40s' is not one of citizen, kiosk", mode);
      return NULL;
    }

  flag = get_member (object, "identity_flag", error);
  if (flag == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (flag) || json_node_get_value_type (flag) != G_TYPE_BOOLEAN)
    {
      g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                   "ballot field 'identity_flag' must be true or false");
      return NULL;
    }
  ballot->identity_flag = json_node_get_boolean (flag);

  if (!ka_ballot_validate (ballot, TRUE, error))
    return NULL;

  return g_steal_pointer (&ballot);
}

/**
 * ka_ballot_equal:
 * @a: a #KaBallot
 * @b: a #KaBallot
 *
 * Returns: %TRUE if every field of @a equals the same field of @b (strings byte for byte,
 *   %NULL only equal to %NULL; booleans by truth value).
 */
gboolean
ka_ballot_equal (const KaBallot *a,
                 const KaBallot *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  return g_strcmp0 (a->ballot_id, b->ballot_id) == 0 &&
         g_strcmp0 (a->device_id, b->device_id) == 0 &&
         g_strcmp0 (a->session_id, b->session_id) == 0 &&
         a->seq == b->seq &&
         g_strcmp0 (a->pack_id, b->pack_id) == 0 &&
         g_strcmp0 (a->prompt_id, b->prompt_id) == 0 &&
         g_strcmp0 (a->response_a, b->response_a) == 0 &&
         g_strcmp0 (a->response_b, b->response_b) == 0 &&
         a->winner == b->winner &&
         g_strcmp0 (a->shown_at, b->shown_at) == 0 &&
         g_strcmp0 (a->voted_at, b->voted_at) == 0 &&
         a->decision_ms == b->decision_ms &&
         a->mode == b->mode &&
         g_strcmp0 (a->ui_language, b->ui_language) == 0 &&
         !a->identity_flag == !b->identity_flag &&
         g_strcmp0 (a->prev_hash, b->prev_hash) == 0 &&
         g_strcmp0 (a->hash, b->hash) == 0;
}

static gboolean
chain_break (GError             **error,
             char               **head,
             KaBallotChainBreak  *kind_out,
             KaBallotChainBreak   kind,
             const KaBallot      *ballot,
             const char          *format,
             ...) G_GNUC_PRINTF (6, 7);

static gboolean
chain_break (GError             **error,
             char               **head,
             KaBallotChainBreak  *kind_out,
             KaBallotChainBreak   kind,
             const KaBallot      *ballot,
             const char          *format,
             ...)
{
  g_autofree char *detail = NULL;
  va_list args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_CHAIN_BREAK,
               "chain of device %s broken at seq %" G_GINT64_FORMAT ", ballot %s: %s",
               ballot->device_id ? ballot->device_id : "(null)", ballot->seq,
               ballot->ballot_id ? ballot->ballot_id : "(null)", detail);
  if (head != NULL)
    *head = NULL;
  *kind_out = kind;
  return FALSE;
}

/**
 * ka_ballot_chain_verify:
 * @ballots: (element-type KaBallot): the ballots of ONE device, in the order they are
 *   stored (ascending `seq`)
 * @head: (out) (optional) (transfer full): on success the hash of the last ballot (the
 *   chain head), or %KA_BALLOT_GENESIS_HASH for an empty chain; %NULL on failure
 * @error: return location for a #GError
 *
 * Checks the device's hash chain (docs/ballots.md, "Hash chain"): position i (from 0)
 * holds `seq` i + 1; the first `prev_hash` is %KA_BALLOT_GENESIS_HASH and every other one
 * is the previous ballot's `hash`; every `hash` recomputes from its ballot's content.
 * The first problem found is reported as #KA_BALLOT_ERROR_CHAIN_BREAK, with a message that
 * names the seq and ballot ID and says whether a ballot is **missing** (a seq is absent),
 * **altered** (a hash does not recompute), or **reordered** (a ballot sits at another
 * position, links to another predecessor, or repeats a seq). Ballots of more than one
 * device, or with a %NULL field, are #KA_BALLOT_ERROR_INVALID.
 *
 * A chain cut off at its end (the newest ballots deleted) still verifies: only a chain
 * head kept elsewhere (the collector's, DESIGN.md §8) reveals that.
 *
 * Returns: %TRUE if the chain is intact.
 */
gboolean
ka_ballot_chain_verify (GPtrArray  *ballots,
                        char      **head,
                        GError    **error)
{
  KaBallotChainBreak kind;

  return ka_ballot_chain_verify_full (ballots, head, &kind, error);
}

/**
 * ka_ballot_chain_verify_full:
 * @ballots: (element-type KaBallot): as for ka_ballot_chain_verify()
 * @head: (out) (optional) (transfer full): as for ka_ballot_chain_verify()
 * @kind: (out): the kind of break found, %KA_BALLOT_CHAIN_INTACT on success
 * @error: return location for a #GError, as ka_ballot_chain_verify() sets it
 *
 * ka_ballot_chain_verify(), also saying which kind of break it found, for callers that
 * sort breaks (the export audit): by this code, never by the message.
 *
 * Returns: %TRUE if the chain is intact.
 */
gboolean
ka_ballot_chain_verify_full (GPtrArray           *ballots,
                             char               **head,
                             KaBallotChainBreak  *kind,
                             GError             **error)
{
  g_autoptr(GHashTable) by_hash = NULL;
  const char *device_id = NULL;
  const char *prev_hash = KA_BALLOT_GENESIS_HASH;

  g_return_val_if_fail (ballots != NULL, FALSE);
  g_return_val_if_fail (kind != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *kind = KA_BALLOT_CHAIN_INVALID;

  /* Which ballot carries which hash and seq, to tell "reordered" from "missing". */
  by_hash = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < ballots->len; i++)
    {
      const KaBallot *b = g_ptr_array_index (ballots, i);

      if (b->device_id == NULL || b->hash == NULL || b->prev_hash == NULL ||
          b->ballot_id == NULL)
        {
          g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                       "ballot at position %u of the chain has a missing field", i);
          if (head != NULL)
            *head = NULL;
          return FALSE;
        }

      if (device_id == NULL)
        device_id = b->device_id;
      else if (strcmp (device_id, b->device_id) != 0)
        {
          g_set_error (error, KA_BALLOT_ERROR, KA_BALLOT_ERROR_INVALID,
                       "ballot %s belongs to device %s, not %s: verify one device's chain "
                       "at a time", b->ballot_id, b->device_id, device_id);
          if (head != NULL)
            *head = NULL;
          return FALSE;
        }

      g_hash_table_insert (by_hash, b->hash, (gpointer) b);
    }

  for (guint i = 0; i < ballots->len; i++)
    {
      const KaBallot *b = g_ptr_array_index (ballots, i);
      gint64 expected_seq = (gint64) i + 1;

      if (!ka_ballot_verify_hash (b))
        return chain_break (error, head, kind, KA_BALLOT_CHAIN_HASH, b,
                            "altered: its hash does not match its content");

      if (b->seq != expected_seq)
        {
          const KaBallot *elsewhere = NULL;

          for (guint j = 0; j < ballots->len && elsewhere == NULL; j++)
            {
              const KaBallot *other = g_ptr_array_index (ballots, j);

              if (j != i && other->seq == expected_seq)
                elsewhere = other;
            }

          if (elsewhere != NULL)
            return chain_break (error, head, kind, KA_BALLOT_CHAIN_REORDERED, b,
                                "reordered: position %u should hold seq %" G_GINT64_FORMAT
                                ", which is ballot %s further on",
                                i, expected_seq, elsewhere->ballot_id);
          if (b->seq > expected_seq && b->seq - 1 == expected_seq)
            return chain_break (error, head, kind, KA_BALLOT_CHAIN_MISSING, b,
                                "missing: no ballot with seq %" G_GINT64_FORMAT " before it",
                                expected_seq);
          if (b->seq > expected_seq)
            return chain_break (error, head, kind, KA_BALLOT_CHAIN_MISSING, b,
                                "missing: no ballots with seq %" G_GINT64_FORMAT " to %"
                                G_GINT64_FORMAT " before it",
                                expected_seq, b->seq - 1);
          return chain_break (error, head, kind, KA_BALLOT_CHAIN_REORDERED, b,
                              "reordered: seq %" G_GINT64_FORMAT " appears again at "
                              "position %u (expected seq %" G_GINT64_FORMAT ")",
                              b->seq, i, expected_seq);
        }

      if (strcmp (b->prev_hash, prev_hash) != 0)
        {
          const KaBallot *linked = g_hash_table_lookup (by_hash, b->prev_hash);

          if (linked != NULL && linked != b)
            return chain_break (error, head, kind, KA_BALLOT_CHAIN_REORDERED, b,
                                "reordered: its prev_hash links to seq %" G_GINT64_FORMAT
                                " (ballot %s), not to seq %" G_GINT64_FORMAT,
                                linked->seq, linked->ballot_id, b->seq - 1);
          if (i == 0)
            return chain_break (error, head, kind, KA_BALLOT_CHAIN_MISSING, b,
                                "missing: the first ballot does not start from the genesis "
                                "hash, so earlier ballots were removed");
          return chain_break (error, head, kind, KA_BALLOT_CHAIN_REPLACED, b,
                              "missing or altered: its prev_hash matches no ballot; the "
                              "ballot before it (seq %" G_GINT64_FORMAT ", %s) was replaced "
                              "or removed",
                              b->seq - 1,
                              ((const KaBallot *) g_ptr_array_index (ballots, i - 1))->ballot_id);
        }

      prev_hash = b->hash;
    }

  if (head != NULL)
    *head = g_strdup (prev_hash);
  *kind = KA_BALLOT_CHAIN_INTACT;

  return TRUE;
}

/**
 * ka_timestamp_format:
 * @dt: a #GDateTime in any time zone
 *
 * Formats @dt as the ballots' timestamps: RFC 3339 in UTC with exactly three fractional
 * digits (milliseconds, truncated), for example `2026-11-29T12:00:00.123Z`.
 *
 * Returns: (transfer full): the timestamp.
 */
char *
ka_timestamp_format (GDateTime *dt)
{
  g_autoptr(GDateTime) utc = NULL;

  g_return_val_if_fail (dt != NULL, NULL);

  utc = g_date_time_to_utc (dt);
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                          g_date_time_get_year (utc),
                          g_date_time_get_month (utc),
                          g_date_time_get_day_of_month (utc),
                          g_date_time_get_hour (utc),
                          g_date_time_get_minute (utc),
                          g_date_time_get_second (utc),
                          g_date_time_get_microsecond (utc) / 1000);
}

/**
 * ka_timestamp_now:
 *
 * Returns: (transfer full): the current wall-clock time as ka_timestamp_format() writes
 *   it, e.g. `2026-11-29T12:00:00.123Z`.
 */
char *
ka_timestamp_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return ka_timestamp_format (now);
}
