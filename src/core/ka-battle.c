/* ka-battle.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-battle"

#include "config.h"

#include "ka-battle.h"

struct _KaBattle
{
  GObject parent_instance;

  /* owned */
  KaPack *pack;
  char   *id;

  /* borrowed from the pack, valid while @pack is held */
  const KaPackPrompt   *prompt;
  const KaPackResponse *response_a;
  const KaPackResponse *response_b;
  const KaPackModel    *model_a;    /* (nullable): sealed pack */
  const KaPackModel    *model_b;    /* (nullable): sealed pack */
};

G_DEFINE_FINAL_TYPE (KaBattle, ka_battle, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_PACK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ka_battle_dispose (GObject *object)
{
  KaBattle *self = KA_BATTLE (object);

  /* The borrowed records die with the pack. */
  self->prompt = NULL;
  self->response_a = NULL;
  self->response_b = NULL;
  self->model_a = NULL;
  self->model_b = NULL;
  g_clear_object (&self->pack);

  G_OBJECT_CLASS (ka_battle_parent_class)->dispose (object);
}

static void
ka_battle_finalize (GObject *object)
{
  KaBattle *self = KA_BATTLE (object);

  g_clear_pointer (&self->id, g_free);

  G_OBJECT_CLASS (ka_battle_parent_class)->finalize (object);
}

static void
ka_battle_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  KaBattle *self = KA_BATTLE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case PROP_PACK:
      g_value_set_object (value, self->pack);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_battle_class_init (KaBattleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ka_battle_dispose;
  object_class->finalize = ka_battle_finalize;
  object_class->get_property = ka_battle_get_property;

  /**
   * KaBattle:id:
   *
   * A random UUID (version 4) naming this battle in the store's log of battles shown.
   */
  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * KaBattle:pack:
   *
   * The pack the prompt and responses belong to.
   */
  properties[PROP_PACK] =
    g_param_spec_object ("pack", NULL, NULL,
                         KA_TYPE_PACK,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ka_battle_init (KaBattle *self)
{
  self->id = g_uuid_string_random ();
}

static const KaPackModel *
lookup_model (KaPack               *pack,
              const KaPackResponse *response)
{
  if (response->model_id == NULL || ka_pack_is_sealed (pack))
    return NULL;

  return ka_pack_lookup_model (pack, response->model_id);
}

/**
 * ka_battle_new:
 * @pack: the pack holding the records
 * @prompt: a prompt of @pack
 * @response_a: the response shown on the left; a response of @pack to @prompt
 * @response_b: the response shown on the right; a different response of @pack to @prompt
 *
 * Creates a battle with a fresh random ID (UUID v4). The battle takes a reference on
 * @pack, so the borrowed records stay valid while it lives. The models behind the
 * responses are looked up at once; they are %NULL for a sealed pack.
 *
 * Returns: (transfer full): a new #KaBattle
 */
KaBattle *
ka_battle_new (KaPack               *pack,
               const KaPackPrompt   *prompt,
               const KaPackResponse *response_a,
               const KaPackResponse *response_b)
{
  KaBattle *self;

  g_return_val_if_fail (KA_IS_PACK (pack), NULL);
  g_return_val_if_fail (prompt != NULL, NULL);
  g_return_val_if_fail (response_a != NULL, NULL);
  g_return_val_if_fail (response_b != NULL, NULL);
  g_return_val_if_fail (response_a != response_b, NULL);
  g_return_val_if_fail (g_strcmp0 (response_a->prompt_id, prompt->prompt_id) == 0, NULL);
  g_return_val_if_fail (g_strcmp0 (response_b->prompt_id, prompt->prompt_id) == 0, NULL);

  self = g_object_new (KA_TYPE_BATTLE, NULL);
  self->pack = g_object_ref (pack);
  self->prompt = prompt;
  self->response_a = response_a;
  self->response_b = response_b;
  self->model_a = lookup_model (pack, response_a);
  self->model_b = lookup_model (pack, response_b);

  return self;
}

/**
 * ka_battle_get_id:
 * @self: a #KaBattle
 *
 * Returns: (transfer none): the battle's UUID, as a 36-character lower-case string
 */
const char *
ka_battle_get_id (KaBattle *self)
{
  g_return_val_if_fail (KA_IS_BATTLE (self), NULL);

  return self->id;
}

/**
 * ka_battle_get_pack:
 * @self: a #KaBattle
 *
 * Returns: (transfer none): the pack the battle's records belong to
 */
KaPack *
ka_battle_get_pack (KaBattle *self)
{
  g_return_val_if_fail (KA_IS_BATTLE (self), NULL);

  return self->pack;
}

/**
 * ka_battle_get_prompt:
 * @self: a #KaBattle
 *
 * Returns: (transfer none): the prompt, owned by the pack
 */
const KaPackPrompt *
ka_battle_get_prompt (KaBattle *self)
{
  g_return_val_if_fail (KA_IS_BATTLE (self), NULL);

  return self->prompt;
}

/**
 * ka_battle_get_response_a:
 * @self: a #KaBattle
 *
 * Returns: (transfer none): the response shown on the left ("Model A"), owned by the pack
 */
const KaPackResponse *
ka_battle_get_response_a (KaBattle *self)
{
  g_return_val_if_fail (KA_IS_BATTLE (self), NULL);

  return self->response_a;
}

/**
 * ka_battle_get_response_b:
 * @self: a #KaBattle
 *
 * Returns: (transfer none): the response shown on the right ("Model B"), owned by the pack
 */
const KaPackResponse *
ka_battle_get_response_b (KaBattle *self)
{
  g_return_val_if_fail (KA_IS_BATTLE (self), NULL);

  return self->response_b;
}

/**
 * ka_battle_get_model_a:
 * @self: a #KaBattle
 *
 * The model behind the left response. Reveal it only after the ballot is committed
 * (DESIGN.md §7).
 *
 * Returns: (transfer none) (nullable): the model, or %NULL for a sealed pack
 */
const KaPackModel *
ka_battle_get_model_a (KaBattle *self)
{
  g_return_val_if_fail (KA_IS_BATTLE (self), NULL);

  return self->model_a;
}

/**
 * ka_battle_get_model_b:
 * @self: a #KaBattle
 *
 * The model behind the right response. Reveal it only after the ballot is committed
 * (DESIGN.md §7).
 *
 * Returns: (transfer none) (nullable): the model, or %NULL for a sealed pack
 */
const KaPackModel *
ka_battle_get_model_b (KaBattle *self)
{
  g_return_val_if_fail (KA_IS_BATTLE (self), NULL);

  return self->model_b;
}
