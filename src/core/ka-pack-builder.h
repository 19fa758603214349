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
 * @KA_PACK_BUILD_ERROR_TOO_MANY_MODELS: more models chosen than a pack may hold
 *   (%KA_PACK_MAX_MODELS): choose fewer (`--models LIST`)
 * @KA_PACK_BUILD_ERROR_TOO_LARGE: the pack would exceed %KA_PACK_MAX_BYTES,
 *   %KA_PACK_MAX_PROMPTS or %KA_PACK_MAX_RESPONSES: take fewer prompts (`--prompts N`) or
 *   fewer models
 * @KA_PACK_BUILD_ERROR_UNKNOWN_MODEL: the identity guard's alias table does not know a
 *   chosen model's family (ka_identity_terms_known_model()) and it was not accepted
 */
typedef enum
{
  KA_PACK_BUILD_ERROR_SOURCE,
  KA_PACK_BUILD_ERROR_MODEL,
  KA_PACK_BUILD_ERROR_EMPTY,
  KA_PACK_BUILD_ERROR_NO_SECRET,
  KA_PACK_BUILD_ERROR_TOO_MANY_MODELS,
  KA_PACK_BUILD_ERROR_TOO_LARGE,
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
 * KaPackBuildProgressFunc:
 * @stage: what is being done, e.g. "reading answers" (English, for logs)
 * @fraction: how much of the whole build is done, 0.0–1.0, never decreasing
 * @user_data: the options' @progress_data
 *
 * Called on the building thread as the build goes on: often (after each answer line), so
 * a caller that prints should only print when the figure it shows changes.
 */
typedef void (*KaPackBuildProgressFunc) (const char *stage,
                                         double      fraction,
                                         gpointer    user_data);

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
 * @progress: (nullable): told how far the build has got
 * @progress_data: for @progress
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
  KaPackBuildProgressFunc progress;
  gpointer            progress_data;
  const char * const *accept_unknown_models;
} KaPackBuildOptions;

/**
 * KaPackBuildEstimate:
 * @n_models: models chosen
 * @n_prompts: prompts that would be taken (at most; those without two usable answers are
 *   skipped later)
 * @n_responses: responses, at most (@n_prompts × @n_models)
 * @n_bytes: estimated size of the pack document in bytes, from the sizes of the source
 *   files and the share of prompts taken (a pack built from ko-arena-hard comes out about
 *   7 % smaller)
 * @prompts_that_fit: with these models, about how many prompts fit every limit
 * @models_that_fit: with these prompts, about how many models fit every limit (at most
 *   %KA_PACK_MAX_MODELS)
 *
 * What a build would make, worked out from the source before reading any answer.
 */
typedef struct
{
  guint   n_models;
  guint   n_prompts;
  guint64 n_responses;
  guint64 n_bytes;
  guint   prompts_that_fit;
  guint   models_that_fit;
} KaPackBuildEstimate;

KaPack *ka_pack_build            (const KaPackBuildOptions *options,
                                  GPtrArray                *notes,
                                  GError                  **error);
gboolean ka_pack_build_estimate  (const KaPackBuildOptions *options,
                                  KaPackBuildEstimate      *estimate,
                                  GError                  **error);
char   *ka_pack_build_response_id (GBytes                  *id_secret,
                                   const char              *pack_id,
                                   const char              *prompt_id,
                                   const char              *model_id);

G_END_DECLS
