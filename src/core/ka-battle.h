/* ka-battle.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "ka-pack.h"

G_BEGIN_DECLS

/**
 * KaBattle:
 *
 * One scheduled comparison: a prompt and two responses, `response_a` shown on the left
 * and `response_b` on the right. Holds a reference on its pack, so the borrowed records
 * stay valid while the battle lives. `model_a`/`model_b` are NULL for a sealed pack.
 */
#define KA_TYPE_BATTLE (ka_battle_get_type ())

G_DECLARE_FINAL_TYPE (KaBattle, ka_battle, KA, BATTLE, GObject)

KaBattle             *ka_battle_new              (KaPack               *pack,
                                                  const KaPackPrompt   *prompt,
                                                  const KaPackResponse *response_a,
                                                  const KaPackResponse *response_b);
const char           *ka_battle_get_id           (KaBattle             *self);
KaPack               *ka_battle_get_pack         (KaBattle             *self);
const KaPackPrompt   *ka_battle_get_prompt       (KaBattle             *self);
const KaPackResponse *ka_battle_get_response_a   (KaBattle             *self);
const KaPackResponse *ka_battle_get_response_b   (KaBattle             *self);
const KaPackModel    *ka_battle_get_model_a      (KaBattle             *self);
const KaPackModel    *ka_battle_get_model_b      (KaBattle             *self);

G_END_DECLS
