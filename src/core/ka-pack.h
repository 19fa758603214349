/* ka-pack.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define KA_PACK_FORMAT "kai-arena-pack/1"

/* Size limits enforced by the loader (see docs/pack-format.md). */
#define KA_PACK_MAX_BYTES        (64 * 1024 * 1024)  /* whole document */
#define KA_PACK_MAX_DEPTH        32                  /* JSON nesting */
#define KA_PACK_MAX_ID_BYTES     128                 /* any *_id */
#define KA_PACK_MAX_TEXT_BYTES   (512 * 1024)        /* one turn */
#define KA_PACK_MAX_TURNS        50                  /* FastChat's CONVERSATION_TURN_LIMIT */
#define KA_PACK_MAX_MODELS       64
#define KA_PACK_MAX_PROMPTS      20000
#define KA_PACK_MAX_RESPONSES    200000

#define KA_PACK_ERROR (ka_pack_error_quark ())

/**
 * KaPackError:
 * @KA_PACK_ERROR_SYNTAX: not well-formed JSON (or not UTF-8, or a byte-order mark)
 * @KA_PACK_ERROR_FORMAT: unknown or missing `format`
 * @KA_PACK_ERROR_INVALID: a field has the wrong type, a missing or bad value, a duplicate
 *   ID or a dangling reference; the message names the field and index
 * @KA_PACK_ERROR_TOO_LARGE: a size limit was exceeded
 */
typedef enum
{
  KA_PACK_ERROR_SYNTAX,
  KA_PACK_ERROR_FORMAT,
  KA_PACK_ERROR_INVALID,
  KA_PACK_ERROR_TOO_LARGE,
} KaPackError;

GQuark ka_pack_error_quark (void);

/* Plain read-only records owned by the KaPack; valid as long as the pack lives. */
typedef struct
{
  char *model_id;
  char *display_name;
  char *organisation;     /* (nullable) */
} KaPackModel;

typedef struct
{
  char  *prompt_id;
  char  *category;        /* (nullable) */
  char **turns;           /* NULL-terminated, n_turns >= 1 */
  guint  n_turns;
} KaPackPrompt;

typedef struct
{
  char  *response_id;
  char  *prompt_id;
  char  *model_id;        /* (nullable): NULL in a sealed pack */
  char **turns;           /* NULL-terminated; same count as its prompt's turns */
  guint  n_turns;
} KaPackResponse;

#define KA_TYPE_PACK (ka_pack_get_type ())

G_DECLARE_FINAL_TYPE (KaPack, ka_pack, KA, PACK, GObject)

KaPack               *ka_pack_new_from_bytes          (GBytes       *bytes,
                                                       GError      **error);
KaPack               *ka_pack_new_from_file           (const char   *path,
                                                       GError      **error);
GBytes               *ka_pack_get_bytes               (KaPack       *self);
const char           *ka_pack_get_content_hash        (KaPack       *self);
const char           *ka_pack_get_id                  (KaPack       *self);
const char           *ka_pack_get_title               (KaPack       *self,
                                                       const char   *language);
const char           *ka_pack_get_language            (KaPack       *self);
const char           *ka_pack_get_created_at          (KaPack       *self);
const char           *ka_pack_get_licence             (KaPack       *self);
gboolean              ka_pack_is_sealed               (KaPack       *self);
const char * const   *ka_pack_get_identity_terms      (KaPack       *self);

guint                 ka_pack_get_n_models            (KaPack       *self);
const KaPackModel    *ka_pack_get_model               (KaPack       *self,
                                                       guint         index);
const KaPackModel    *ka_pack_lookup_model            (KaPack       *self,
                                                       const char   *model_id);
guint                 ka_pack_get_n_prompts           (KaPack       *self);
const KaPackPrompt   *ka_pack_get_prompt              (KaPack       *self,
                                                       guint         index);
const KaPackPrompt   *ka_pack_lookup_prompt           (KaPack       *self,
                                                       const char   *prompt_id);
guint                 ka_pack_get_n_responses         (KaPack       *self);
const KaPackResponse *ka_pack_get_response            (KaPack       *self,
                                                       guint         index);
const KaPackResponse *ka_pack_lookup_response         (KaPack       *self,
                                                       const char   *response_id);
GPtrArray            *ka_pack_get_prompt_responses    (KaPack       *self,
                                                       const char   *prompt_id);
JsonNode             *ka_pack_to_json                 (KaPack       *self,
                                                       gboolean      sealed);
void                  ka_pack_set_response_aliases    (KaPack       *self,
                                                       GHashTable   *aliases);
GHashTable           *ka_pack_get_response_aliases    (KaPack       *self);

G_END_DECLS
