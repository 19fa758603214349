/* ka-pack-seal.h: the sealed copy of an open battle pack
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ka-pack.h"

G_BEGIN_DECLS

/* A seal key holds at least this many bytes (256 bits when they are random). */
#define KA_PACK_SEAL_MIN_KEY_BYTES  32
/* Sealed response IDs: this many lowercase hex digits of an HMAC-SHA-256 (128 bits). */
#define KA_PACK_SEAL_ID_DIGITS      32

#define KA_PACK_SEAL_ERROR (ka_pack_seal_error_quark ())

/**
 * KaPackSealError:
 * @KA_PACK_SEAL_ERROR_KEY: the key is missing, too short or its file cannot be made
 * @KA_PACK_SEAL_ERROR_SEALED: the pack is already sealed (nothing to seal it from)
 * @KA_PACK_SEAL_ERROR_NAMES: the pack's ID, a title or its licence names a model or vendor,
 *   which a sealed copy would pass on to every device
 * @KA_PACK_SEAL_ERROR_EMPTY: no prompt keeps two responses the identity guard accepts
 * @KA_PACK_SEAL_ERROR_CLASH: two sealed response IDs are equal (a 2^-128 event)
 */
typedef enum
{
  KA_PACK_SEAL_ERROR_KEY,
  KA_PACK_SEAL_ERROR_SEALED,
  KA_PACK_SEAL_ERROR_NAMES,
  KA_PACK_SEAL_ERROR_EMPTY,
  KA_PACK_SEAL_ERROR_CLASH,
} KaPackSealError;

GQuark ka_pack_seal_error_quark (void);

/**
 * KaPackSealStats:
 * @n_responses: responses in the sealed copy
 * @n_prompts: prompts in the sealed copy
 * @n_flagged: responses left out because the identity guard flags them
 * @n_prompts_dropped: prompts left out because fewer than two responses remained
 *
 * What ka_pack_seal() did.
 */
typedef struct
{
  guint n_responses;
  guint n_prompts;
  guint n_flagged;
  guint n_prompts_dropped;
} KaPackSealStats;

GBytes *ka_pack_seal_key_load        (const char      *path,
                                      gboolean         create,
                                      gboolean        *created,
                                      GError         **error);
char   *ka_pack_seal_response_id     (GBytes          *key,
                                      const char      *pack_id,
                                      const char      *response_id);
KaPack *ka_pack_seal                 (KaPack          *open,
                                      GBytes          *key,
                                      GHashTable     **sealed_to_open,
                                      KaPackSealStats *stats,
                                      GError         **error);

G_END_DECLS
