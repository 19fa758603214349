/* ka-pack-builder.h: battle packs from real evaluation sources
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ka-pack.h"

G_BEGIN_DECLS

#define KA_PACK_BUILD_ERROR (ka_pack_build_error_quark ())

/**
 * KaPackBuildError:
 * @KA_PACK_BUILD_ERROR_SOURCE: a source file is missing or malformed
 * @KA_PACK_BUILD_ERROR_MODEL: a requested model is not in the source
 * @KA_PACK_BUILD_ERROR_EMPTY: no prompt has answers from two of the chosen models
 * @KA_PACK_BUILD_ERROR_NO_SECRET: a sealed pack was asked for without an ID secret
 * @KA_PACK_BUILD_ERROR_UNKNOWN_MODEL: the identity guard's alias table does not know a
 *   chosen model's family (ka_identity_terms_known_model()) and it was not accepted
 */
typedef enum
{
  KA_PACK_BUILD_ERROR_SOURCE,
  KA_PACK_BUILD_ERROR_MODEL,
  KA_PACK_BUILD_ERROR_EMPTY,
  KA_PACK_BUILD_ERROR_NO_SECRET,
  KA_PACK_BUILD_ERROR_UNKNOWN_MODEL,
} KaPackBuildError;

GQuark ka_pack_build_error_quark (void);

/**
 * KaPackSource:
 * @KA_PACK_SOURCE_KO_ARENA_HARD: ko-arena-hard-auto: question.jsonl + model_answer/ (FastChat)
 * @KA_PACK_SOURCE_MT_BENCH: FastChat MT-bench: question.jsonl + model_answer/
 * @KA_PACK_SOURCE_LOGICKOR: LogicKor: questions.jsonl + evaluated/ORG/MODEL/default.jsonl
 */
typedef enum
{
  KA_PACK_SOURCE_KO_ARENA_HARD,
  KA_PACK_SOURCE_MT_BENCH,
  KA_PACK_SOURCE_LOGICKOR,
} KaPackSource;

gboolean    ka_pack_source_from_string (const char   *name,
                                        KaPackSource *source);
const char *ka_pack_source_to_string   (KaPackSource  source);

/**
 * KaPackBuildOptions:
 * @source: the kind of source
 * @source_dir: the source directory
 * @models: (nullable): the models to take (file names, IDs; any case); %NULL for all
 * @max_prompts: take at most this many prompts (in source order); 0 for all
 * @pack_id: (nullable): the pack ID; %NULL for the source name
 * @title_ko: (nullable): the Korean title; %NULL for a default
 * @title_en: (nullable): the English title; %NULL for a default
 * @created_at: (nullable): RFC 3339; %NULL for `SOURCE_DATE_EPOCH`, else the newest answer
 *   time stamp, else the newest source file
 * @licence: (nullable): the licence text; %NULL for the source's
 * @identity_terms: (nullable): more identity terms, after those of the models' families
 * @id_secret: (nullable): key of the HMAC that makes response IDs; required with @sealed
 * @sealed: leave out models and model IDs
 * @accept_unknown_models: (nullable): models (file names or IDs, any case) to take although
 *   the alias table does not know their family; the guard then has only their ID's parts,
 *   display name and organisation to look for
 */
typedef struct
{
  KaPackSource        source;
  const char         *source_dir;
  const char * const *models;
  guint               max_prompts;
  const char         *pack_id;
  const char         *title_ko;
  const char         *title_en;
  const char         *created_at;
  const char         *licence;
  const char * const *identity_terms;
  GBytes             *id_secret;
  gboolean            sealed;
  const char * const *accept_unknown_models;
} KaPackBuildOptions;

KaPack *ka_pack_build            (const KaPackBuildOptions *options,
                                  GPtrArray                *notes,
                                  GError                  **error);
char   *ka_pack_build_response_id (GBytes                  *id_secret,
                                   const char              *pack_id,
                                   const char              *prompt_id,
                                   const char              *model_id);

G_END_DECLS
