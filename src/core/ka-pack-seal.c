/* ka-pack-seal.c: the sealed copy of an open battle pack
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * DESIGN.md §3: "Sealed means nothing in it lets anyone map a response to its model". The
 * attacker to beat holds the public model list and the pack builder, so nothing in the
 * sealed copy may be computable from public names: response IDs are keyed with a secret
 * only the collector holds, responses are ordered by that keyed ID (the open pack's order
 * is prompt then model, which spells the model), and `identity_terms`, models and model IDs
 * are gone. Responses the identity guard flags are left out too, since a device holding the
 * sealed copy no longer has the terms to check them against. docs/pack-format.md
 * ("Sealing") is the prose version of this file.
 */

#define G_LOG_DOMAIN "ka-pack-seal"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "ka-identity.h"
#include "ka-pack-seal.h"

G_DEFINE_QUARK (ka-pack-seal-error-quark, ka_pack_seal_error)

/* Domain separation: the same key may one day key other things. */
#define SEAL_CONTEXT "kai-arena-sealed-response/1"

/* Key files ---------------------------------------------------------------------------- */

static GBytes *
read_key (const char  *path,
          GError     **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;

  /* A trailing newline (echo, an editor) is not part of the key. */
  while (length > 0 && g_ascii_isspace (contents[length - 1]))
    length--;

  if (length < KA_PACK_SEAL_MIN_KEY_BYTES)
    {
      g_set_error (error, KA_PACK_SEAL_ERROR, KA_PACK_SEAL_ERROR_KEY,
                   "the seal key %s holds %" G_GSIZE_FORMAT " bytes; at least %d are needed "
                   "(for example 64 hex digits from `head -c 32 /dev/urandom | od -An -tx1 | "
                   "tr -d ' \\n'`)", path, length, KA_PACK_SEAL_MIN_KEY_BYTES);
      return NULL;
    }

  return g_bytes_new (contents, length);
}

/* Writes a new random key to @path unless a file is there already. The key goes to a
 * private temporary file first and is then linked to @path, so a second collector starting
 * at the same moment either sees no file or the whole key, and one of the two keys wins. */
static gboolean
create_key (const char  *path,
            gboolean    *created,
            GError     **error)
{
  g_autofree char *tmp = g_strconcat (path, ".XXXXXX", NULL);
  guchar raw[32];
  char hex[2 * sizeof raw + 2];
  int fd;
  gboolean ok;

  *created = FALSE;
  if (getrandom (raw, sizeof raw, 0) != (ssize_t) sizeof raw)
    {
      g_set_error (error, KA_PACK_SEAL_ERROR, KA_PACK_SEAL_ERROR_KEY,
                   "cannot read random bytes for a seal key: %s", g_strerror (errno));
      return FALSE;
    }
  for (guint i = 0; i < sizeof raw; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", raw[i]);
  hex[2 * sizeof raw] = '\n';
  hex[2 * sizeof raw + 1] = '\0';
  memset (raw, 0, sizeof raw);

  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      g_set_error (error, KA_PACK_SEAL_ERROR, KA_PACK_SEAL_ERROR_KEY,
                   "cannot create the seal key %s: %s", path, g_strerror (errno));
      return FALSE;
    }
  ok = write (fd, hex, strlen (hex)) == (ssize_t) strlen (hex) && fsync (fd) == 0;
  memset (hex, 0, sizeof hex);
  if (close (fd) != 0)
    ok = FALSE;
  if (!ok)
    {
      int saved = errno;

      g_unlink (tmp);
      g_set_error (error, KA_PACK_SEAL_ERROR, KA_PACK_SEAL_ERROR_KEY,
                   "cannot write the seal key %s: %s", path, g_strerror (saved));
      return FALSE;
    }

  if (link (tmp, path) == 0)
    *created = TRUE;
  else if (errno != EEXIST)
    {
      int saved = errno;

      g_unlink (tmp);
      g_set_error (error, KA_PACK_SEAL_ERROR, KA_PACK_SEAL_ERROR_KEY,
                   "cannot create the seal key %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  g_unlink (tmp);
  return TRUE;
}

/**
 * ka_pack_seal_key_load:
 * @path: the key file
 * @create: make a new random key (64 hex digits, mode 0600) when @path does not exist
 * @created: (out) (optional): set to %TRUE when this call made the file
 * @error: return location for a #KA_PACK_SEAL_ERROR or a #GFileError
 *
 * Reads the collector's seal key: the bytes of @path without trailing white space, at
 * least %KA_PACK_SEAL_MIN_KEY_BYTES of them. Collectors that serve the same devices (behind
 * one load balancer) must read the same key, or their sealed response IDs differ.
 *
 * Returns: (transfer full): the key, or %NULL with @error set
 */
GBytes *
ka_pack_seal_key_load (const char  *path,
                       gboolean     create,
                       gboolean    *created,
                       GError     **error)
{
  gboolean made = FALSE;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (created != NULL)
    *created = FALSE;

  if (create && !g_file_test (path, G_FILE_TEST_EXISTS) && !create_key (path, &made, error))
    return NULL;
  if (created != NULL)
    *created = made;

  return read_key (path, error);
}

/**
 * ka_pack_seal_response_id:
 * @key: the seal key
 * @pack_id: the pack's ID
 * @response_id: the response's ID in the open pack
 *
 * The sealed ID of a response: the first %KA_PACK_SEAL_ID_DIGITS hex digits of
 * HMAC-SHA-256 under @key over `"kai-arena-sealed-response/1" NUL pack_id NUL response_id`.
 * Without @key nobody can compute it, whatever they know about the open pack (its response
 * IDs may be a public hash of the model's name), and it is longer than any ID the pack
 * builder makes, so a sealed ID is never taken for an open one.
 *
 * Returns: (transfer full): %KA_PACK_SEAL_ID_DIGITS lowercase hex digits
 */
char *
ka_pack_seal_response_id (GBytes     *key,
                          const char *pack_id,
                          const char *response_id)
{
  g_autoptr(GByteArray) message = g_byte_array_new ();
  g_autofree char *digest = NULL;
  const guchar *key_data;
  gsize key_len;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (pack_id != NULL && response_id != NULL, NULL);

  g_byte_array_append (message, (const guint8 *) SEAL_CONTEXT, sizeof SEAL_CONTEXT);
  g_byte_array_append (message, (const guint8 *) pack_id, strlen (pack_id) + 1);
  g_byte_array_append (message, (const guint8 *) response_id, strlen (response_id));

  key_data = g_bytes_get_data (key, &key_len);
  digest = g_compute_hmac_for_data (G_CHECKSUM_SHA256, key_data, key_len,
                                    message->data, message->len);
  return g_strndup (digest, KA_PACK_SEAL_ID_DIGITS);
}

/* Sealing ------------------------------------------------------------------------------ */

/* Does @text name a model or vendor: a name the guard knows (built-in names and the pack's
 * identity_terms), or one of the pack's own model IDs, display names and organisations? */
static gboolean
names_someone (KaPack          *pack,
               KaIdentityGuard *guard,
               const char      *text,
               char           **term)
{
  g_autofree char *folded = NULL;

  if (text == NULL)
    return FALSE;
  if (ka_identity_guard_scan (guard, text, term))
    return TRUE;

  folded = g_utf8_casefold (text, -1);
  for (guint m = 0; m < ka_pack_get_n_models (pack); m++)
    {
      const KaPackModel *model = ka_pack_get_model (pack, m);
      const char *names[] = { model->model_id, model->display_name, model->organisation };

      for (guint n = 0; n < G_N_ELEMENTS (names); n++)
        {
          g_autofree char *name = NULL;

          /* Two letters ("m1", "LG") are too short to mean anything inside other words. */
          if (names[n] == NULL || g_utf8_strlen (names[n], -1) < 3)
            continue;
          name = g_utf8_casefold (names[n], -1);
          if (strstr (folded, name) != NULL)
            {
              if (term != NULL)
                *term = g_strdup (names[n]);
              return TRUE;
            }
        }
    }

  return FALSE;
}

/* The members a sealed copy passes on unchanged: none of them may name anybody. */
static gboolean
check_names (KaPack           *pack,
             KaIdentityGuard  *guard,
             JsonObject       *titles,
             GError          **error)
{
  g_autoptr(GList) languages = json_object_get_members (titles);
  g_autofree char *term = NULL;

  if (names_someone (pack, guard, ka_pack_get_id (pack), &term))
    {
      g_set_error (error, KA_PACK_SEAL_ERROR, KA_PACK_SEAL_ERROR_NAMES,
                   "pack_id \"%s\" names \"%s\"; a sealed copy keeps the pack ID, so build "
                   "the pack with a --pack-id that names no model or vendor",
                   ka_pack_get_id (pack), term);
      return FALSE;
    }

  for (GList *l = languages; l != NULL; l = l->next)
    {
      const char *title = json_object_get_string_member (titles, l->data);

      if (names_someone (pack, guard, title, &term))
        {
          g_set_error (error, KA_PACK_SEAL_ERROR, KA_PACK_SEAL_ERROR_NAMES,
                       "title.%s names \"%s\"; a sealed copy keeps the titles, so give the "
                       "pack titles that name no model or vendor", (const char *) l->data,
                       term);
          return FALSE;
        }
    }

  if (names_someone (pack, guard, ka_pack_get_licence (pack), &term))
    {
      g_set_error (error, KA_PACK_SEAL_ERROR, KA_PACK_SEAL_ERROR_NAMES,
                   "licence names \"%s\"; a sealed copy keeps the licence text, so give the "
                   "pack a licence text that names no model or vendor (point to a NOTICE "
                   "file instead)", term);
      return FALSE;
    }

  return TRUE;
}

typedef struct
{
  char                 *sealed_id;
  const KaPackResponse *response;
} SealedResponse;

static int
compare_sealed (gconstpointer a,
                gconstpointer b)
{
  return strcmp (((const SealedResponse *) a)->sealed_id,
                 ((const SealedResponse *) b)->sealed_id);
}

static void
add_string_array (JsonBuilder        *builder,
                  const char         *name,
                  const char * const *strings)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; strings[i] != NULL; i++)
    json_builder_add_string_value (builder, strings[i]);
  json_builder_end_array (builder);
}

/**
 * ka_pack_seal:
 * @open: an open pack (with `models`)
 * @key: the seal key (ka_pack_seal_key_load()), at least %KA_PACK_SEAL_MIN_KEY_BYTES bytes
 * @sealed_to_open: (out) (optional) (transfer full) (element-type utf8 utf8): sealed
 *   response ID → the open pack's response ID, for every response of the sealed copy;
 *   keep it private, it is the seal
 * @stats: (out caller-allocates) (optional): what was left out
 * @error: return location for a #KA_PACK_SEAL_ERROR or a #KaPackError
 *
 * Makes the copy of @open that citizen devices may hold (DESIGN.md §3): the members
 * `format`, `pack_id`, `title`, `language`, `created_at`, `prompts`, `responses` and
 * `licence` of @open, where every response ID is ka_pack_seal_response_id() under @key,
 * responses are sorted by that ID, `models`, every `model_id` and `identity_terms` are left
 * out, and so is every response the identity guard flags
 * (ka_identity_guard_check_response() with a guard for @open), then every prompt left with
 * fewer than two responses. Prompts keep their IDs, text and order: they are the same for
 * every model. The pack ID, titles and licence go into the copy unchanged, so @open is
 * refused (#KA_PACK_SEAL_ERROR_NAMES) when one of them names a model or vendor.
 *
 * The same @open and @key always give the same bytes (compact JSON), so collectors sharing
 * a key serve identical sealed packs under one ETag.
 *
 * Returns: (transfer full): the sealed pack (ka_pack_get_bytes() is the document to
 *   serve), or %NULL with @error set
 */
KaPack *
ka_pack_seal (KaPack           *open,
              GBytes           *key,
              GHashTable      **sealed_to_open,
              KaPackSealStats  *stats,
              GError          **error)
{
  g_autoptr(KaIdentityGuard) guard = NULL;
  g_autoptr(JsonNode) open_node = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GArray) kept = NULL;
  g_autoptr(GPtrArray) kept_prompts = g_ptr_array_new ();
  g_autoptr(GHashTable) map = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GList) languages = NULL;
  KaPackSealStats s = { 0, };
  KaPack *sealed;
  JsonObject *titles;
  char *text;
  gsize length;

  g_return_val_if_fail (KA_IS_PACK (open), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (sealed_to_open != NULL)
    *sealed_to_open = NULL;

  if (g_bytes_get_size (key) < KA_PACK_SEAL_MIN_KEY_BYTES)
    {
      g_set_error (error, KA_PACK_SEAL_ERROR, KA_PACK_SEAL_ERROR_KEY,
                   "a seal key needs at least %d bytes", KA_PACK_SEAL_MIN_KEY_BYTES);
      return NULL;
    }
  if (ka_pack_is_sealed (open))
    {
      g_set_error (error, KA_PACK_SEAL_ERROR, KA_PACK_SEAL_ERROR_SEALED,
                   "pack %s is already sealed", ka_pack_get_id (open));
      return NULL;
    }

  guard = ka_identity_guard_new_for_pack (open);

  /* The titles in every language the pack has (KaPack looks them up one by one). */
  open_node = ka_pack_to_json (open, TRUE);
  titles = json_object_get_object_member (json_node_get_object (open_node), "title");
  if (!check_names (open, guard, titles, error))
    return NULL;

  kept = g_array_new (FALSE, FALSE, sizeof (SealedResponse));
  map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint p = 0; p < ka_pack_get_n_prompts (open); p++)
    {
      const KaPackPrompt *prompt = ka_pack_get_prompt (open, p);
      g_autoptr(GPtrArray) responses = ka_pack_get_prompt_responses (open, prompt->prompt_id);
      g_autoptr(GPtrArray) usable = g_ptr_array_new ();

      for (guint r = 0; r < responses->len; r++)
        {
          const KaPackResponse *response = g_ptr_array_index (responses, r);

          if (ka_identity_guard_check_response (guard, response, NULL))
            s.n_flagged++;
          else
            g_ptr_array_add (usable, (gpointer) response);
        }

      if (usable->len < 2)
        {
          s.n_prompts_dropped++;
          continue;
        }

      g_ptr_array_add (kept_prompts, (gpointer) prompt);
      for (guint r = 0; r < usable->len; r++)
        {
          const KaPackResponse *response = g_ptr_array_index (usable, r);
          SealedResponse sr = {
            ka_pack_seal_response_id (key, ka_pack_get_id (open), response->response_id),
            response,
          };

          if (!g_hash_table_insert (map, g_strdup (sr.sealed_id),
                                    g_strdup (response->response_id)))
            {
              g_set_error (error, KA_PACK_SEAL_ERROR, KA_PACK_SEAL_ERROR_CLASH,
                           "two responses of pack %s have the sealed ID %s",
                           ka_pack_get_id (open), sr.sealed_id);
              g_free (sr.sealed_id);
              for (guint i = 0; i < kept->len; i++)
                g_free (g_array_index (kept, SealedResponse, i).sealed_id);
              return NULL;
            }
          g_array_append_val (kept, sr);
        }
    }

  if (kept_prompts->len == 0)
    {
      g_set_error (error, KA_PACK_SEAL_ERROR, KA_PACK_SEAL_ERROR_EMPTY,
                   "no prompt of pack %s keeps two responses that the identity guard accepts",
                   ka_pack_get_id (open));
      return NULL;
    }

  /* The open order (prompt, then model) would tell the models apart; the keyed IDs are
   * as good as a shuffle that only the key holder can repeat. */
  g_array_sort (kept, compare_sealed);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, KA_PACK_FORMAT);
  json_builder_set_member_name (builder, "pack_id");
  json_builder_add_string_value (builder, ka_pack_get_id (open));

  json_builder_set_member_name (builder, "title");
  json_builder_begin_object (builder);
  languages = json_object_get_members (titles);
  for (GList *l = languages; l != NULL; l = l->next)
    {
      json_builder_set_member_name (builder, l->data);
      json_builder_add_string_value (builder, json_object_get_string_member (titles, l->data));
    }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "language");
  json_builder_add_string_value (builder, ka_pack_get_language (open));
  json_builder_set_member_name (builder, "created_at");
  json_builder_add_string_value (builder, ka_pack_get_created_at (open));

  json_builder_set_member_name (builder, "prompts");
  json_builder_begin_array (builder);
  for (guint p = 0; p < kept_prompts->len; p++)
    {
      const KaPackPrompt *prompt = g_ptr_array_index (kept_prompts, p);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "prompt_id");
      json_builder_add_string_value (builder, prompt->prompt_id);
      if (prompt->category != NULL)
        {
          json_builder_set_member_name (builder, "category");
          json_builder_add_string_value (builder, prompt->category);
        }
      add_string_array (builder, "turns", (const char * const *) prompt->turns);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "responses");
  json_builder_begin_array (builder);
  for (guint i = 0; i < kept->len; i++)
    {
      SealedResponse *sr = &g_array_index (kept, SealedResponse, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "response_id");
      json_builder_add_string_value (builder, sr->sealed_id);
      json_builder_set_member_name (builder, "prompt_id");
      json_builder_add_string_value (builder, sr->response->prompt_id);
      add_string_array (builder, "turns", (const char * const *) sr->response->turns);
      json_builder_end_object (builder);
      g_clear_pointer (&sr->sealed_id, g_free);
    }
  json_builder_end_array (builder);

  /* No identity_terms: they name every vendor taking part. */
  if (ka_pack_get_licence (open) != NULL)
    {
      json_builder_set_member_name (builder, "licence");
      json_builder_add_string_value (builder, ka_pack_get_licence (open));
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);
  bytes = g_bytes_new_take (text, length);

  sealed = ka_pack_new_from_bytes (bytes, error);
  if (sealed == NULL)
    return NULL;

  s.n_responses = kept->len;
  s.n_prompts = kept_prompts->len;
  if (stats != NULL)
    *stats = s;
  if (sealed_to_open != NULL)
    *sealed_to_open = g_steal_pointer (&map);

  return sealed;
}
