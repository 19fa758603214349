/* ka-seal-maps.c: the collector's seal maps, for the organisers' tools
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Citizens vote on the collector's sealed copy of a pack, whose response IDs only the
 * collector can map back (ka-pack-seal.c). The organisers' tools name models from the open
 * pack file; with the collector's seal maps (GET /v1/seal-maps, organiser token) they find
 * the open response behind a sealed ID too (ka_pack_set_response_aliases()).
 */

#define G_LOG_DOMAIN "ka-seal-maps"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "ka-collector-client.h"
#include "ka-pack.h"
#include "ka-seal-maps.h"

G_DEFINE_QUARK (ka-seal-maps-error-quark, ka_seal_maps_error)


/**
 * ka_seal_maps_parse:
 * @body: the body of `GET /v1/seal-maps`
 * @error: return location for a #KA_SEAL_MAPS_ERROR
 *
 * Reads `{"seal_maps": {pack_id: {sealed_id: open_id, …}, …}}`; other members are ignored
 * (docs/protocol.md §1: responses may grow).
 *
 * Returns: (transfer full) (element-type utf8 GHashTable): pack ID → (sealed response ID →
 *   open response ID), or %NULL with @error set
 */
GHashTable *
ka_seal_maps_parse (GBytes  *body,
                    GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GHashTable) maps = NULL;
  g_autoptr(GList) pack_ids = NULL;
  g_autoptr(GError) parse_error = NULL;
  JsonNode *root;
  JsonNode *member;
  JsonObject *packs;
  gsize length;
  const char *data = g_bytes_get_data (body, &length);

  if (!json_parser_load_from_data (parser, data != NULL ? data : "", (gssize) length,
                                   &parse_error))
    {
      g_set_error (error, KA_SEAL_MAPS_ERROR, KA_SEAL_MAPS_ERROR_PARSE,
                   "the collector's seal maps are not JSON: %s", parse_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  member = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
           ? json_object_get_member (json_node_get_object (root), "seal_maps") : NULL;
  if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member))
    {
      g_set_error (error, KA_SEAL_MAPS_ERROR, KA_SEAL_MAPS_ERROR_PARSE,
                   "the collector's answer has no object 'seal_maps'");
      return NULL;
    }

  maps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                (GDestroyNotify) g_hash_table_unref);
  packs = json_node_get_object (member);
  pack_ids = json_object_get_members (packs);
  for (GList *l = pack_ids; l != NULL; l = l->next)
    {
      JsonNode *map_node = json_object_get_member (packs, l->data);
      g_autoptr(GHashTable) map = NULL;
      g_autoptr(GList) sealed_ids = NULL;
      JsonObject *map_object;

      if (!JSON_NODE_HOLDS_OBJECT (map_node))
        {
          g_set_error (error, KA_SEAL_MAPS_ERROR, KA_SEAL_MAPS_ERROR_PARSE,
                       "seal_maps.%s is not an object", (const char *) l->data);
          return NULL;
        }
      map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      map_object = json_node_get_object (map_node);
      sealed_ids = json_object_get_members (map_object);
      for (GList *s = sealed_ids; s != NULL; s = s->next)
        {
          JsonNode *open_node = json_object_get_member (map_object, s->data);

          if (!JSON_NODE_HOLDS_VALUE (open_node) ||
              json_node_get_value_type (open_node) != G_TYPE_STRING)
            {
              g_set_error (error, KA_SEAL_MAPS_ERROR, KA_SEAL_MAPS_ERROR_PARSE,
                           "seal_maps.%s.%s is not a string", (const char *) l->data,
                           (const char *) s->data);
              return NULL;
            }
          g_hash_table_insert (map, g_strdup (s->data),
                               g_strdup (json_node_get_string (open_node)));
        }
      g_hash_table_insert (maps, g_strdup (l->data), g_steal_pointer (&map));
    }

  return g_steal_pointer (&maps);
}

/**
 * ka_seal_maps_fetch:
 * @client: the organisers' client of the collector (#KaCollectorClient)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * `GET /v1/seal-maps` with the organiser token, synchronously: call it from a tool or a
 * worker thread. A collector from before sealing (404 `not_found`) gives an empty table.
 *
 * Returns: (transfer full) (element-type utf8 GHashTable): as ka_seal_maps_parse(), or
 *   %NULL with a #GIOError when the collector cannot be reached, a
 *   #KaCollectorClientError, or a #KA_SEAL_MAPS_ERROR
 */
GHashTable *
ka_seal_maps_fetch (KaCollectorClient  *client,
                    GCancellable       *cancellable,
                    GError            **error)
{
  g_autoptr(GBytes) body = NULL;

  g_return_val_if_fail (KA_IS_COLLECTOR_CLIENT (client), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  body = ka_collector_client_get_seal_maps (client, cancellable, error);
  if (body == NULL)
    return NULL;
  return ka_seal_maps_parse (body, error);
}

/**
 * ka_seal_maps_apply:
 * @maps: (element-type utf8 GHashTable): from ka_seal_maps_fetch()
 * @packs: (element-type KaPack): packs the organisers hold
 *
 * Gives every open pack in @packs the seal map of its pack ID
 * (ka_pack_set_response_aliases()), so ka_pack_lookup_response() finds responses by their
 * sealed IDs as well.
 *
 * Returns: the number of packs that got a map
 */
guint
ka_seal_maps_apply (GHashTable *maps,
                    GPtrArray  *packs)
{
  guint n = 0;

  g_return_val_if_fail (maps != NULL, 0);
  g_return_val_if_fail (packs != NULL, 0);

  for (guint i = 0; i < packs->len; i++)
    {
      KaPack *pack = g_ptr_array_index (packs, i);
      GHashTable *map = g_hash_table_lookup (maps, ka_pack_get_id (pack));

      if (map == NULL || ka_pack_is_sealed (pack))
        continue;
      ka_pack_set_response_aliases (pack, map);
      n++;
    }

  return n;
}
