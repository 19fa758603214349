/* ka-rating-json.c: the leaderboard as JSON
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-rating-json"

#include "config.h"

#include <math.h>

#include "ka-rating-json.h"
#include "ka-rating-result-private.h"

static JsonNode *
double_node (double v)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  if (isnan (v))
    json_node_init_null (node);
  else
    json_node_set_double (node, v);
  return node;
}

/**
 * ka_rating_result_to_json:
 * @self: a result
 *
 * The whole result as JSON: `{"ballots", "bootstrap": {"rounds", "seed", "prior_rounds"},
 * "components", "models": [{"rank", "model", "rating", "ci_lower", "ci_upper",
 * "battles", "wins", "losses", "ties", "both_bad", "win_rate", "online_elo",
 * "component", "regularised"}], "position_bias": {"left_wins", "decisive", "share",
 * "ci_lower", "ci_upper"}, "win_rate_matrix" and "battle_matrix" (rows and columns in
 * "models" order; null where undefined), "warnings": [...]}`.
 *
 * Returns: (transfer full): a JSON object node
 */
JsonNode *
ka_rating_result_to_json (KaRatingResult *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gint64 lw, dec;
  double share, lo, hi;

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ballots");
  json_builder_add_int_value (b, self->n_ballots);
  json_builder_set_member_name (b, "bootstrap");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "rounds");
  json_builder_add_int_value (b, self->rounds);
  json_builder_set_member_name (b, "seed");
  json_builder_add_int_value (b, (gint64) self->seed);
  json_builder_set_member_name (b, "prior_rounds");
  json_builder_add_int_value (b, self->prior_rounds);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "components");
  json_builder_add_int_value (b, self->n_comp);

  json_builder_set_member_name (b, "models");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->m; i++)
    {
      const KaRatingEntry *e = &self->entries[i];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "rank");
      json_builder_add_int_value (b, e->rank);
      json_builder_set_member_name (b, "model");
      json_builder_add_string_value (b, e->model);
      json_builder_set_member_name (b, "rating");
      json_builder_add_value (b, double_node (e->rating));
      json_builder_set_member_name (b, "ci_lower");
      json_builder_add_value (b, double_node (e->ci_lower));
      json_builder_set_member_name (b, "ci_upper");
      json_builder_add_value (b, double_node (e->ci_upper));
      json_builder_set_member_name (b, "battles");
      json_builder_add_int_value (b, e->battles);
      json_builder_set_member_name (b, "wins");
      json_builder_add_int_value (b, e->wins);
      json_builder_set_member_name (b, "losses");
      json_builder_add_int_value (b, e->losses);
      json_builder_set_member_name (b, "ties");
      json_builder_add_int_value (b, e->ties);
      json_builder_set_member_name (b, "both_bad");
      json_builder_add_int_value (b, e->both_bad);
      json_builder_set_member_name (b, "win_rate");
      json_builder_add_value (b, double_node (e->win_rate));
      json_builder_set_member_name (b, "online_elo");
      json_builder_add_value (b, double_node (e->online_elo));
      json_builder_set_member_name (b, "component");
      json_builder_add_int_value (b, e->component);
      json_builder_set_member_name (b, "regularised");
      json_builder_add_boolean_value (b, e->regularised);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  ka_rating_result_get_position_bias (self, &lw, &dec, &share, &lo, &hi);
  json_builder_set_member_name (b, "position_bias");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "left_wins");
  json_builder_add_int_value (b, lw);
  json_builder_set_member_name (b, "decisive");
  json_builder_add_int_value (b, dec);
  json_builder_set_member_name (b, "share");
  json_builder_add_value (b, double_node (share));
  json_builder_set_member_name (b, "ci_lower");
  json_builder_add_value (b, double_node (lo));
  json_builder_set_member_name (b, "ci_upper");
  json_builder_add_value (b, double_node (hi));
  json_builder_end_object (b);

  json_builder_set_member_name (b, "win_rate_matrix");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->m; i++)
    {
      json_builder_begin_array (b);
      for (guint j = 0; j < self->m; j++)
        json_builder_add_value (b, double_node (i == j ? NAN : ka_rating_result_get_win_rate (self, i, j)));
      json_builder_end_array (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "battle_matrix");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->m; i++)
    {
      json_builder_begin_array (b);
      for (guint j = 0; j < self->m; j++)
        json_builder_add_int_value (b, self->battles[i * self->m + j]);
      json_builder_end_array (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "warnings");
  json_builder_begin_array (b);
  for (guint i = 0; i + 1 < self->warnings->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (self->warnings, i));
  json_builder_end_array (b);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}
