/* ka-pack-builder.c: battle packs from real evaluation sources
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-pack-builder"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "ka-identity.h"
#include "ka-pack-builder.h"

G_DEFINE_QUARK (ka-pack-build-error-quark, ka_pack_build_error)

/* FastChat marks an answer that failed at the API with this text. */
#define FASTCHAT_API_ERROR "$ERROR$"

/* LogicKor is a two-turn benchmark; question 3 lists a third, near-duplicate question. */
#define LOGICKOR_TURNS 2

typedef struct
{
  char  *prompt_id;
  char  *category;     /* (nullable) */
  char **turns;
} SourcePrompt;

typedef struct
{
  char       *key;            /* file stem, or ORG/MODEL for LogicKor: the pack's model_id */
  char       *display_name;
  char       *organisation;   /* (nullable) */
  char       *path;
  GHashTable *answers;        /* prompt_id → char ** turns */
} SourceModel;

typedef struct
{
  GPtrArray *prompts;   /* SourcePrompt* */
  GPtrArray *models;    /* SourceModel*, sorted by key */
  gint64     newest_answer;  /* newest answer time stamp, Unix seconds; 0 unknown */
  gint64     newest_file;    /* newest source file modification time */
  guint64    question_bytes; /* size of the question file */
} Source;

static void
source_prompt_free (gpointer data)
{
  SourcePrompt *p = data;

  g_free (p->prompt_id);
  g_free (p->category);
  g_strfreev (p->turns);
  g_free (p);
}

static void
source_model_free (gpointer data)
{
  SourceModel *m = data;

  g_free (m->key);
  g_free (m->display_name);
  g_free (m->organisation);
  g_free (m->path);
  g_clear_pointer (&m->answers, g_hash_table_unref);
  g_free (m);
}

static void
source_clear (Source *src)
{
  g_clear_pointer (&src->prompts, g_ptr_array_unref);
  g_clear_pointer (&src->models, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Source, source_clear)

/**
 * ka_pack_source_from_string:
 * @name: "ko-arena-hard", "mt-bench" or "logickor"
 * @source: (out): the source kind
 *
 * Returns: %TRUE when @name is known
 */
gboolean
ka_pack_source_from_string (const char   *name,
                            KaPackSource *source)
{
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (source != NULL, FALSE);

  if (g_str_equal (name, "ko-arena-hard"))
    *source = KA_PACK_SOURCE_KO_ARENA_HARD;
  else if (g_str_equal (name, "mt-bench"))
    *source = KA_PACK_SOURCE_MT_BENCH;
  else if (g_str_equal (name, "logickor"))
    *source = KA_PACK_SOURCE_LOGICKOR;
  else
    return FALSE;
  return TRUE;
}

/**
 * ka_pack_source_to_string:
 * @source: a source kind
 *
 * Returns: (transfer none): its name as accepted by ka_pack_source_from_string()
 */
const char *
ka_pack_source_to_string (KaPackSource source)
{
  switch (source)
    {
    case KA_PACK_SOURCE_KO_ARENA_HARD:
      return "ko-arena-hard";
    case KA_PACK_SOURCE_MT_BENCH:
      return "mt-bench";
    case KA_PACK_SOURCE_LOGICKOR:
      return "logickor";
    default:
      g_return_val_if_reached (NULL);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Reading JSON Lines. */

typedef gboolean (*LineFunc) (JsonObject  *obj,
                              const char  *where,
                              gpointer     user_data,
                              GError     **error);

/* How far a build has got (KaPackBuildProgressFunc). Reading the answers is most of the
 * work, so it is counted in bytes of answer files read: 0 to READ_SHARE; writing the
 * document takes the pack to WRITE_SHARE, checking it to 1. */
#define READ_SHARE  0.80
#define WRITE_SHARE 0.90

typedef struct
{
  KaPackBuildProgressFunc func;        /* (nullable) */
  gpointer                data;
  guint64                 total_bytes; /* of the answer files to read */
  guint64                 done_bytes;
  double                  last;
} Progress;

static void
report (Progress   *progress,
        const char *stage,
        double      fraction)
{
  if (progress == NULL || progress->func == NULL)
    return;
  fraction = CLAMP (fraction, progress->last, 1.0);
  progress->last = fraction;
  progress->func (stage, fraction, progress->data);
}

static void
report_read (Progress *progress,
             gsize     n_bytes)
{
  if (progress == NULL || progress->func == NULL)
    return;
  progress->done_bytes += n_bytes;
  report (progress, "reading answers",
          progress->total_bytes > 0 ?
          READ_SHARE * (double) progress->done_bytes / (double) progress->total_bytes : 0.0);
}

static gboolean
read_jsonl (const char  *path,
            LineFunc     func,
            gpointer     user_data,
            Progress    *progress,
            GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_auto(GStrv) lines = NULL;
  const char *text;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, error))
    return FALSE;
  if (!g_utf8_validate (contents, (gssize) len, NULL))
    {
      g_set_error (error, KA_PACK_BUILD_ERROR, KA_PACK_BUILD_ERROR_SOURCE,
                   _("%s: not valid UTF-8"), path);
      return FALSE;
    }

  /* 37 of the 38 LogicKor answer files start with a byte-order mark. */
  text = contents;
  if (g_str_has_prefix (text, "\xEF\xBB\xBF"))
    text += 3;

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *where = g_strdup_printf ("%s:%u", path, i + 1);
      JsonNode *root;

      report_read (progress, strlen (lines[i]) + 1);
      g_strchomp (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      if (!json_parser_load_from_data (parser, lines[i], -1, &local_error))
        {
          g_set_error (error, KA_PACK_BUILD_ERROR, KA_PACK_BUILD_ERROR_SOURCE,
                       "%s: %s", where, local_error->message);
          return FALSE;
        }
      root = json_parser_get_root (parser);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          g_set_error (error, KA_PACK_BUILD_ERROR, KA_PACK_BUILD_ERROR_SOURCE,
                       _("%s: expected a JSON object"), where);
          return FALSE;
        }
      if (!func (json_node_get_object (root), where, user_data, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
fail_source (GError     **error,
             const char  *where,
             const char  *what)
{
  g_set_error (error, KA_PACK_BUILD_ERROR, KA_PACK_BUILD_ERROR_SOURCE, "%s: %s", where, what);
  return FALSE;
}

/* A question or answer ID: a string, or an integer (MT-bench, LogicKor). */
static char *
get_id (JsonObject *obj,
        const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  return NULL;
}

static const char *
get_optional_string (JsonObject *obj,
                     const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* Drops leading blank lines (every gemma-2-27b-it answer starts with one, which would tell
 * it apart) and trailing white space; keeps the indentation of the first real line. */
static char *
normalise_text (const char *text)
{
  const char *start = text;
  const char *p = text;
  char *out;

  while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
    {
      if (*p == '\n')
        start = p + 1;
      p++;
    }
  if (*p == '\0')
    start = p;

  out = g_strdup (start);
  return g_strchomp (out);
}

/* Turns: an array of strings (MT-bench, LogicKor) or of {"content": …} (ko-arena-hard). */
static char **
get_turns (JsonNode   *node,
           guint       max_turns,
           const char *where,
           GError    **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  JsonArray *arr;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      fail_source (error, where, _("expected an array of turns"));
      return NULL;
    }
  arr = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (arr) && i < max_turns; i++)
    {
      JsonNode *turn = json_array_get_element (arr, i);
      const char *text = NULL;

      if (JSON_NODE_HOLDS_VALUE (turn) && json_node_get_value_type (turn) == G_TYPE_STRING)
        text = json_node_get_string (turn);
      else if (JSON_NODE_HOLDS_OBJECT (turn))
        text = get_optional_string (json_node_get_object (turn), "content");
      if (text == NULL)
        {
          fail_source (error, where, _("a turn is neither a string nor {\"content\": string}"));
          return NULL;
        }
      g_ptr_array_add (out, normalise_text (text));
    }
  if (out->len == 0)
    {
      fail_source (error, where, _("no turns"));
      return NULL;
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

/* ------------------------------------------------------------------------------------------ */
/* FastChat layout: ko-arena-hard and MT-bench. */

typedef struct
{
  Source       *src;
  KaPackSource  kind;
  GHashTable   *seen;
} QuestionCtx;

static gboolean
fastchat_question_line (JsonObject  *obj,
                        const char  *where,
                        gpointer     user_data,
                        GError     **error)
{
  QuestionCtx *ctx = user_data;
  g_autofree char *id = get_id (obj, "question_id");
  SourcePrompt *prompt;
  const char *category;
  char **turns;

  if (id == NULL)
    return fail_source (error, where, _("missing question_id"));
  if (g_hash_table_contains (ctx->seen, id))
    return fail_source (error, where, _("duplicate question_id"));
  if ((turns = get_turns (json_object_get_member (obj, "turns"), KA_PACK_MAX_TURNS, where,
                          error)) == NULL)
    return FALSE;

  /* ko-arena-hard's "category" is the same for all 500 prompts; its cluster says more. */
  category = NULL;
  if (ctx->kind == KA_PACK_SOURCE_KO_ARENA_HARD)
    {
      category = get_optional_string (obj, "ko_cluster");
      if (category == NULL)
        category = get_optional_string (obj, "cluster");
    }
  if (category == NULL)
    category = get_optional_string (obj, "category");

  prompt = g_new0 (SourcePrompt, 1);
  prompt->prompt_id = g_strdup (id);
  prompt->category = g_strdup (category);
  prompt->turns = turns;
  g_ptr_array_add (ctx->src->prompts, prompt);
  g_hash_table_add (ctx->seen, g_steal_pointer (&id));
  return TRUE;
}

typedef struct
{
  Source      *src;
  SourceModel *model;
} AnswerCtx;

static gboolean
fastchat_answer_line (JsonObject  *obj,
                      const char  *where,
                      gpointer     user_data,
                      GError     **error)
{
  AnswerCtx *ctx = user_data;
  g_autofree char *id = get_id (obj, "question_id");
  g_autofree char *turns_where = NULL;
  const char *model_id = get_optional_string (obj, "model_id");
  JsonNode *choices = json_object_get_member (obj, "choices");
  JsonNode *tstamp = json_object_get_member (obj, "tstamp");
  JsonObject *choice;
  char **turns;

  if (id == NULL)
    return fail_source (error, where, _("missing question_id"));
  if (choices == NULL || !JSON_NODE_HOLDS_ARRAY (choices) ||
      json_array_get_length (json_node_get_array (choices)) == 0 ||
      !JSON_NODE_HOLDS_OBJECT (json_array_get_element (json_node_get_array (choices), 0)))
    return fail_source (error, where, _("expected choices[0] to be an object"));
  choice = json_array_get_object_element (json_node_get_array (choices), 0);

  turns_where = g_strconcat (where, " choices[0].turns", NULL);
  if ((turns = get_turns (json_object_get_member (choice, "turns"), KA_PACK_MAX_TURNS,
                          turns_where, error)) == NULL)
    return FALSE;

  /* MT-bench's model_id may differ in case from the file name (RWKV-4-Raven-14B): the file
   * name is the key, the answer's model_id the display name. */
  if (ctx->model->display_name == NULL && model_id != NULL && model_id[0] != '\0')
    ctx->model->display_name = g_strdup (model_id);

  if (tstamp != NULL && JSON_NODE_HOLDS_VALUE (tstamp) &&
      (json_node_get_value_type (tstamp) == G_TYPE_DOUBLE ||
       json_node_get_value_type (tstamp) == G_TYPE_INT64))
    ctx->src->newest_answer = MAX (ctx->src->newest_answer,
                                   (gint64) json_node_get_double (tstamp));

  /* A question answered twice in one file: the first answer wins. */
  if (!g_hash_table_contains (ctx->model->answers, id))
    g_hash_table_insert (ctx->model->answers, g_steal_pointer (&id), turns);
  else
    g_strfreev (turns);
  return TRUE;
}

static int
compare_models (gconstpointer a,
                gconstpointer b)
{
  const SourceModel *ma = *(SourceModel * const *) a;
  const SourceModel *mb = *(SourceModel * const *) b;

  return strcmp (ma->key, mb->key);
}

static SourceModel *
source_model_new (const char *key,
                  const char *path)
{
  SourceModel *model = g_new0 (SourceModel, 1);

  model->key = g_strdup (key);
  model->path = g_strdup (path);
  model->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_strfreev);
  return model;
}

static gint64
file_mtime (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return 0;
  return (gint64) st.st_mtime;
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0 || st.st_size < 0)
    return 0;
  return (guint64) st.st_size;
}

static gboolean
read_fastchat (Source        *src,
               KaPackSource   kind,
               const char    *dir,
               GError       **error)
{
  g_autofree char *question_path = g_build_filename (dir, "question.jsonl", NULL);
  g_autofree char *answer_dir = g_build_filename (dir, "model_answer", NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GDir) d = NULL;
  QuestionCtx qctx = { src, kind, seen };
  const char *name;

  if (!read_jsonl (question_path, fastchat_question_line, &qctx, NULL, error))
    return FALSE;
  src->newest_file = MAX (src->newest_file, file_mtime (question_path));
  src->question_bytes = file_size (question_path);

  if ((d = g_dir_open (answer_dir, 0, error)) == NULL)
    return FALSE;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *stem = NULL;
      g_autofree char *path = NULL;
      SourceModel *model;

      if (!g_str_has_suffix (name, ".jsonl"))
        continue;
      stem = g_strndup (name, strlen (name) - strlen (".jsonl"));
      path = g_build_filename (answer_dir, name, NULL);
      model = source_model_new (stem, path);
      model->organisation = g_strdup (ka_identity_guess_organisation (stem));
      g_ptr_array_add (src->models, model);
    }
  g_ptr_array_sort (src->models, compare_models);
  return TRUE;
}

static gboolean
load_fastchat_answers (Source       *src,
                       SourceModel  *model,
                       Progress     *progress,
                       GError      **error)
{
  AnswerCtx actx = { src, model };

  if (!read_jsonl (model->path, fastchat_answer_line, &actx, progress, error))
    return FALSE;
  if (model->display_name == NULL)
    model->display_name = g_strdup (model->key);
  return TRUE;
}

/* ------------------------------------------------------------------------------------------ */
/* LogicKor layout. */

static gboolean
logickor_question_line (JsonObject  *obj,
                        const char  *where,
                        gpointer     user_data,
                        GError     **error)
{
  QuestionCtx *ctx = user_data;
  g_autofree char *id = get_id (obj, "id");
  SourcePrompt *prompt;
  char **turns;

  if (id == NULL)
    return fail_source (error, where, _("missing id"));
  if (g_hash_table_contains (ctx->seen, id))
    return fail_source (error, where, _("duplicate id"));
  if ((turns = get_turns (json_object_get_member (obj, "questions"), LOGICKOR_TURNS, where,
                          error)) == NULL)
    return FALSE;

  prompt = g_new0 (SourcePrompt, 1);
  prompt->prompt_id = g_strdup (id);
  prompt->category = g_strdup (get_optional_string (obj, "category"));
  prompt->turns = turns;
  g_ptr_array_add (ctx->src->prompts, prompt);
  g_hash_table_add (ctx->seen, g_steal_pointer (&id));
  return TRUE;
}

static gboolean
logickor_answer_line (JsonObject  *obj,
                      const char  *where,
                      gpointer     user_data,
                      GError     **error)
{
  AnswerCtx *ctx = user_data;
  g_autofree char *id = get_id (obj, "id");
  char **turns;

  if (id == NULL)
    return fail_source (error, where, _("missing id"));
  /* Lines come in a different order in every file: they are joined on "id". */
  if ((turns = get_turns (json_object_get_member (obj, "outputs"), LOGICKOR_TURNS, where,
                          error)) == NULL)
    return FALSE;
  if (!g_hash_table_contains (ctx->model->answers, id))
    g_hash_table_insert (ctx->model->answers, g_steal_pointer (&id), turns);
  else
    g_strfreev (turns);
  return TRUE;
}

static gboolean
read_logickor (Source      *src,
               const char  *dir,
               GError     **error)
{
  g_autofree char *question_path = g_build_filename (dir, "questions.jsonl", NULL);
  g_autofree char *evaluated = g_build_filename (dir, "evaluated", NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GDir) orgs = NULL;
  QuestionCtx qctx = { src, KA_PACK_SOURCE_LOGICKOR, seen };
  const char *org;

  if (!read_jsonl (question_path, logickor_question_line, &qctx, NULL, error))
    return FALSE;
  src->newest_file = MAX (src->newest_file, file_mtime (question_path));
  src->question_bytes = file_size (question_path);

  if ((orgs = g_dir_open (evaluated, 0, error)) == NULL)
    return FALSE;
  while ((org = g_dir_read_name (orgs)) != NULL)
    {
      g_autofree char *org_dir = g_build_filename (evaluated, org, NULL);
      g_autoptr(GDir) names = g_dir_open (org_dir, 0, NULL);
      const char *name;

      if (names == NULL)
        continue;
      while ((name = g_dir_read_name (names)) != NULL)
        {
          g_autofree char *path = g_build_filename (org_dir, name, "default.jsonl", NULL);
          g_autofree char *key = NULL;
          SourceModel *model;

          if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
            continue;
          key = g_strconcat (org, "/", name, NULL);
          model = source_model_new (key, path);
          model->display_name = g_strdup (name);
          model->organisation = g_strdup (org);
          g_ptr_array_add (src->models, model);
        }
    }
  g_ptr_array_sort (src->models, compare_models);
  return TRUE;
}

static gboolean
load_logickor_answers (Source       *src,
                       SourceModel  *model,
                       Progress     *progress,
                       GError      **error)
{
  AnswerCtx actx = { src, model };

  if (!read_jsonl (model->path, logickor_answer_line, &actx, progress, error))
    return FALSE;
  src->newest_file = MAX (src->newest_file, file_mtime (model->path));
  return TRUE;
}

/* ------------------------------------------------------------------------------------------ */

/**
 * ka_pack_build_response_id:
 * @id_secret: (nullable): HMAC key
 * @pack_id: the pack ID
 * @prompt_id: the prompt ID
 * @model_id: the model ID
 *
 * An opaque response ID: the first 12 hex digits of SHA-256 (HMAC-SHA-256 with
 * @id_secret) over `pack_id NUL prompt_id NUL model_id`. Without a secret anyone who knows
 * the model IDs can recompute it, which is fine for an open pack (it names the models
 * anyway) but not for a sealed one.
 *
 * Returns: (transfer full): 12 lowercase hex digits
 */
char *
ka_pack_build_response_id (GBytes     *id_secret,
                           const char *pack_id,
                           const char *prompt_id,
                           const char *model_id)
{
  g_autoptr(GByteArray) message = g_byte_array_new ();
  g_autofree char *digest = NULL;

  g_return_val_if_fail (pack_id != NULL && prompt_id != NULL && model_id != NULL, NULL);

  g_byte_array_append (message, (const guint8 *) pack_id, strlen (pack_id) + 1);
  g_byte_array_append (message, (const guint8 *) prompt_id, strlen (prompt_id) + 1);
  g_byte_array_append (message, (const guint8 *) model_id, strlen (model_id));

  if (id_secret != NULL)
    {
      gsize key_len;
      const guchar *key = g_bytes_get_data (id_secret, &key_len);

      digest = g_compute_hmac_for_data (G_CHECKSUM_SHA256, key, key_len,
                                        message->data, message->len);
    }
  else
    digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, message->data, message->len);

  return g_strndup (digest, 12);
}

static SourceModel *
find_model (Source     *src,
            const char *wanted)
{
  SourceModel *by_name = NULL;
  guint n_by_name = 0;

  for (guint i = 0; i < src->models->len; i++)
    {
      SourceModel *model = g_ptr_array_index (src->models, i);
      const char *slash = strrchr (model->key, '/');

      if (g_ascii_strcasecmp (model->key, wanted) == 0)
        return model;
      /* LogicKor: "Llama-VARCO-8B-Instruct" for "NCSOFT/Llama-VARCO-8B-Instruct". */
      if (slash != NULL && g_ascii_strcasecmp (slash + 1, wanted) == 0)
        {
          by_name = model;
          n_by_name++;
        }
    }
  return n_by_name == 1 ? by_name : NULL;
}

static char *
list_model_keys (Source *src)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < src->models->len; i++)
    {
      SourceModel *model = g_ptr_array_index (src->models, i);

      if (i > 0)
        g_string_append (s, ", ");
      g_string_append (s, model->key);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
add_term (GPtrArray  *terms,
          const char *term)
{
  for (guint i = 0; i < terms->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (terms, i), term) == 0)
      return;
  g_ptr_array_add (terms, g_strdup (term));
}

static void
add_string_array (JsonBuilder *builder,
                  const char  *member,
                  char       **strv,
                  guint        n)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    json_builder_add_string_value (builder, strv[i]);
  json_builder_end_array (builder);
}

static void
add_member (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, value);
}

static gboolean
is_usable_answer (char  **turns,
                  guint   n_turns)
{
  if (turns == NULL || g_strv_length (turns) < n_turns)
    return FALSE;
  for (guint t = 0; t < n_turns; t++)
    if (g_str_equal (turns[t], FASTCHAT_API_ERROR) || strlen (turns[t]) > KA_PACK_MAX_TEXT_BYTES)
      return FALSE;
  return TRUE;
}

static void
add_note (GPtrArray  *notes,
          const char *format,
          ...) G_GNUC_PRINTF (2, 3);

static void
add_note (GPtrArray  *notes,
          const char *format,
          ...)
{
  va_list args;

  if (notes == NULL)
    return;
  va_start (args, format);
  g_ptr_array_add (notes, g_strdup_vprintf (format, args));
  va_end (args);
}

/* Reads the source's prompts and list of models (not their answers) and picks the models
 * to take, in @chosen. */
static gboolean
open_source (const KaPackBuildOptions  *options,
             Source                    *src,
             GPtrArray                 *chosen,
             GError                   **error)
{
  if (options->sealed && options->id_secret == NULL)
    {
      g_set_error (error, KA_PACK_BUILD_ERROR, KA_PACK_BUILD_ERROR_NO_SECRET,
                   _("a sealed pack needs a secret for its response IDs; without one anybody "
                     "could recompute which model wrote which response"));
      return FALSE;
    }

  src->prompts = g_ptr_array_new_with_free_func (source_prompt_free);
  src->models = g_ptr_array_new_with_free_func (source_model_free);

  switch (options->source)
    {
    case KA_PACK_SOURCE_KO_ARENA_HARD:
    case KA_PACK_SOURCE_MT_BENCH:
      if (!read_fastchat (src, options->source, options->source_dir, error))
        return FALSE;
      break;
    case KA_PACK_SOURCE_LOGICKOR:
      if (!read_logickor (src, options->source_dir, error))
        return FALSE;
      break;
    default:
      g_return_val_if_reached (FALSE);
    }

  if (options->models != NULL && options->models[0] != NULL)
    {
      for (guint i = 0; options->models[i] != NULL; i++)
        {
          SourceModel *model = find_model (src, options->models[i]);

          if (model == NULL)
            {
              g_autofree char *known = list_model_keys (src);

              g_set_error (error, KA_PACK_BUILD_ERROR, KA_PACK_BUILD_ERROR_MODEL,
                           _("no model \"%s\" in %s (available: %s)"),
                           options->models[i], options->source_dir, known);
              return FALSE;
            }
          if (!g_ptr_array_find (chosen, model, NULL))
            g_ptr_array_add (chosen, model);
        }
    }
  else
    for (guint i = 0; i < src->models->len; i++)
      g_ptr_array_add (chosen, g_ptr_array_index (src->models, i));

  if (chosen->len < 2)
    {
      /* With --models the source may have many more; say how many were chosen. */
      if (options->models != NULL && options->models[0] != NULL)
        g_set_error (error, KA_PACK_BUILD_ERROR, KA_PACK_BUILD_ERROR_MODEL,
                     _("a pack needs at least two models; %u of the %u models in %s "
                       "selected"),
                     chosen->len, src->models->len, options->source_dir);
      else
        g_set_error (error, KA_PACK_BUILD_ERROR, KA_PACK_BUILD_ERROR_MODEL,
                     _("a pack needs at least two models; %s has %u"),
                     options->source_dir, chosen->len);
      return FALSE;
    }

  return TRUE;
}

/* Sizes without the source's own JSON: what a build adds per response and per prompt
 * (IDs, member names, indentation), a little more than the answer lines' metadata. */
static void
estimate (const KaPackBuildOptions *options,
          Source                   *src,
          GPtrArray                *chosen,
          KaPackBuildEstimate      *est)
{
  guint n_source = src->prompts->len;
  guint64 answer_bytes = 0;
  double share, per_prompt, per_model;

  for (guint i = 0; i < chosen->len; i++)
    answer_bytes += file_size (((SourceModel *) g_ptr_array_index (chosen, i))->path);

  est->n_models = chosen->len;
  est->n_prompts = options->max_prompts > 0 ? MIN (options->max_prompts, n_source) : n_source;
  est->n_responses = (guint64) est->n_prompts * est->n_models;
  share = n_source > 0 ? (double) est->n_prompts / n_source : 0.0;
  est->n_bytes = (guint64) ((double) (answer_bytes + src->question_bytes) * share) + 4096;

  /* Each prompt brings its question and one answer per model; each model one answer per
   * prompt. 95 % of a limit, as the estimate is only that. */
  per_prompt = est->n_prompts > 0 ? (double) est->n_bytes / est->n_prompts : 1.0;
  per_model = est->n_models > 0 ? (double) answer_bytes * share / est->n_models : 1.0;
  est->prompts_that_fit = (guint) MIN ((double) KA_PACK_MAX_PROMPTS,
                                       0.95 * KA_PACK_MAX_BYTES / MAX (per_prompt, 1.0));
  if (est->n_models > 0)
    est->prompts_that_fit = MIN (est->prompts_that_fit, KA_PACK_MAX_RESPONSES / est->n_models);
  est->prompts_that_fit = MIN (est->prompts_that_fit, est->n_prompts);
  est->models_that_fit = (guint) MIN ((double) KA_PACK_MAX_MODELS,
                                      0.95 * KA_PACK_MAX_BYTES / MAX (per_model, 1.0));
  if (est->n_prompts > 0)
    est->models_that_fit = MIN (est->models_that_fit, KA_PACK_MAX_RESPONSES / est->n_prompts);
  est->models_that_fit = MIN (est->models_that_fit, est->n_models);
}

/**
 * ka_pack_build_estimate:
 * @options: what would be built
 * @estimate: (out caller-allocates): what the build would make
 * @error: return location for a #KA_PACK_BUILD_ERROR or a file error
 *
 * Works out the size of a pack from the source without building it: reads the prompts and
 * the list of models, and only the sizes of the answer files. ka_pack_build() refuses with
 * the same figures before it reads any answer when a limit would be exceeded.
 *
 * Returns: %FALSE with @error set if the source cannot be read or the models are wrong
 */
gboolean
ka_pack_build_estimate (const KaPackBuildOptions  *options,
                        KaPackBuildEstimate       *est,
                        GError                   **error)
{
  g_auto(Source) src = { NULL, NULL, 0, 0, 0 };
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();

  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (options->source_dir != NULL, FALSE);
  g_return_val_if_fail (est != NULL, FALSE);

  if (!open_source (options, &src, chosen, error))
    return FALSE;
  estimate (options, &src, chosen, est);
  return TRUE;
}

/* The limits of ka_pack_new_from_bytes() (docs/pack-format.md), checked before the work.
 * The byte estimate runs about 7 % high, so only an estimate over the limit by more than
 * that margin is refused here; a pack just over it is refused once built, with exact
 * figures. */
static gboolean
check_limits (const KaPackBuildOptions  *options,
              const KaPackBuildEstimate *est,
              GError                   **error)
{
  if (est->n_models > KA_PACK_MAX_MODELS)
    {
      g_set_error (error, KA_PACK_BUILD_ERROR, KA_PACK_BUILD_ERROR_TOO_MANY_MODELS,
                   _("%u models chosen from %s, more than the limit of %d per pack"),
                   est->n_models, options->source_dir, KA_PACK_MAX_MODELS);
      return FALSE;
    }
  if (est->n_prompts > KA_PACK_MAX_PROMPTS)
    {
      g_set_error (error, KA_PACK_BUILD_ERROR, KA_PACK_BUILD_ERROR_TOO_LARGE,
                   _("%u prompts, more than the limit of %d per pack"),
                   est->n_prompts, KA_PACK_MAX_PROMPTS);
      return FALSE;
    }
  if (est->n_responses > KA_PACK_MAX_RESPONSES)
    {
      g_set_error (error, KA_PACK_BUILD_ERROR, KA_PACK_BUILD_ERROR_TOO_LARGE,
                   _("%u prompts × %u models make up to %" PRIu64 " responses, "
                     "more than the limit of %d per pack; about %u prompts would fit with "
                     "these models"),
                   est->n_prompts, est->n_models, est->n_responses, KA_PACK_MAX_RESPONSES,
                   est->prompts_that_fit);
      return FALSE;
    }
  if ((double) est->n_bytes > 1.10 * KA_PACK_MAX_BYTES)
    {
      g_set_error (error, KA_PACK_BUILD_ERROR, KA_PACK_BUILD_ERROR_TOO_LARGE,
                   _("the pack would be about %" PRIu64 " MB (%u prompts × %u "
                     "models, estimated from the source files), more than the limit of "
                     "%d MiB; about %u prompts would fit with these models, or about %u "
                     "models with these prompts"),
                   est->n_bytes / 1000000, est->n_prompts, est->n_models,
                   KA_PACK_MAX_BYTES / (1024 * 1024), est->prompts_that_fit,
                   est->models_that_fit);
      return FALSE;
    }
  return TRUE;
}

/**
 * ka_pack_build:
 * @options: what to build
 * @notes: (nullable) (element-type utf8): an array with a free function for strings; gets
 *   one human-readable line per thing skipped (a prompt with fewer than two usable answers,
 *   an answer that failed at the API or is too long)
 * @error: return location for a #KA_PACK_BUILD_ERROR, a file error or a #KA_PACK_ERROR
 *
 * Builds a `kai-arena-pack/1` pack from an evaluation source, handling the quirks of the
 * real files (docs/pack-format.md): LogicKor's byte-order marks, its question 3 with three
 * questions (the first two are used) and its per-file line order (joined on `id`); MT-bench's
 * model IDs whose case differs from the file name (the file name is the key); ko-arena-hard's
 * `choices[0].turns[k].content` and leading blank lines (stripped from every turn).
 *
 * Prompts keep source order; models are in @options->models order or sorted by key;
 * responses follow prompt then model order. Response IDs come from
 * ka_pack_build_response_id(), so they reveal nothing without the secret, and the same input
 * always gives the same bytes. `identity_terms` are the family names of the chosen models
 * (ka_identity_terms_for_model()) then @options->identity_terms.
 *
 * Before reading any answer the limits of a pack (%KA_PACK_MAX_MODELS, %KA_PACK_MAX_PROMPTS,
 * %KA_PACK_MAX_RESPONSES, %KA_PACK_MAX_BYTES) are checked against ka_pack_build_estimate():
 * a build that would exceed one fails at once with %KA_PACK_BUILD_ERROR_TOO_MANY_MODELS or
 * %KA_PACK_BUILD_ERROR_TOO_LARGE, saying by how much and how many prompts or models would
 * fit. @options->progress is told how far the build has got.
 *
 * The document is validated by ka_pack_new_from_bytes() before it is returned.
 *
 * Returns: (transfer full) (nullable): the loaded pack (its bytes are the document to write),
 *   or %NULL with @error set
 */
KaPack *
ka_pack_build (const KaPackBuildOptions *options,
               GPtrArray                *notes,
               GError                  **error)
{
  g_auto(Source) src = { NULL, NULL, 0, 0, 0 };
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();
  KaPackBuildEstimate est = { 0 };
  Progress progress = { options->progress, options->progress_data, 0, 0, 0.0 };
  g_autoptr(GPtrArray) terms = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GHashTable) used_ids = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(KaPack) pack = NULL;
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  g_autofree char *created_at = NULL;
  g_autofree char *text = NULL;
  const char *pack_id, *title_ko, *title_en, *language, *licence;
  const char *source_epoch;
  gsize text_len;

  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (options->source_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!open_source (options, &src, chosen, error))
    return NULL;

  /* Refuse a pack over a limit before the work, not after it (issue 9). */
  estimate (options, &src, chosen, &est);
  if (!check_limits (options, &est, error))
    return NULL;

  for (guint i = 0; i < chosen->len; i++)
    progress.total_bytes += file_size (((SourceModel *) g_ptr_array_index (chosen, i))->path);
  report (&progress, "reading answers", 0.0);

  /* The identity guard must know every model's names (DESIGN.md §7, issue 10). */
  {
    g_autoptr(GString) unknown = g_string_new (NULL);
    guint n_unknown = 0;

    for (guint i = 0; i < chosen->len; i++)
      {
        SourceModel *model = g_ptr_array_index (chosen, i);
        gboolean accepted = FALSE;

        if (ka_identity_terms_known_model (model->key) ||
            (model->display_name != NULL && ka_identity_terms_known_model (model->display_name)))
          continue;
        for (guint a = 0; options->accept_unknown_models != NULL &&
             options->accept_unknown_models[a] != NULL && !accepted; a++)
          accepted = g_ascii_strcasecmp (options->accept_unknown_models[a], model->key) == 0 ||
                     (model->display_name != NULL &&
                      g_ascii_strcasecmp (options->accept_unknown_models[a],
                                          model->display_name) == 0);
        if (accepted)
          continue;
        g_string_append_printf (unknown, "%s%s", n_unknown > 0 ? ", " : "", model->key);
        n_unknown++;
      }
    if (n_unknown > 0)
      {
        g_set_error (error, KA_PACK_BUILD_ERROR, KA_PACK_BUILD_ERROR_UNKNOWN_MODEL,
                     _("the identity guard has no names for %s: add the model's family to "
                       "src/core/ka-identity-terms.c, or accept the model with "
                       "--accept-unknown-model"),
                     unknown->str);
        return NULL;
      }
  }

  for (guint i = 0; i < chosen->len; i++)
    {
      SourceModel *model = g_ptr_array_index (chosen, i);
      gboolean ok = options->source == KA_PACK_SOURCE_LOGICKOR ?
                    load_logickor_answers (&src, model, &progress, error) :
                    load_fastchat_answers (&src, model, &progress, error);

      if (!ok)
        return NULL;
    }

  switch (options->source)
    {
    case KA_PACK_SOURCE_KO_ARENA_HARD:
      pack_id = "ko-arena-hard";
      title_ko = "ko-arena-hard 한국어 문항";
      title_en = "ko-arena-hard Korean prompts";
      language = "ko";
      licence = "Apache-2.0; see NOTICE";
      break;
    case KA_PACK_SOURCE_MT_BENCH:
      pack_id = "mt-bench";
      title_ko = "MT-bench 영어 문항";
      title_en = "MT-bench English prompts";
      language = "en";
      licence = "Apache-2.0; see NOTICE";
      break;
    case KA_PACK_SOURCE_LOGICKOR:
    default:
      pack_id = "logickor";
      title_ko = "LogicKor 한국어 문항 (내부 시험용)";
      title_en = "LogicKor Korean prompts (internal testing only)";
      language = "ko";
      licence = "No licence stated upstream; internal testing only, do not redistribute";
      break;
    }
  if (options->pack_id != NULL)
    pack_id = options->pack_id;
  if (options->title_ko != NULL)
    title_ko = options->title_ko;
  if (options->title_en != NULL)
    title_en = options->title_en;
  if (options->licence != NULL)
    licence = options->licence;

  /* The prompts: in source order, those that two chosen models answered. */
  for (guint p = 0; p < src.prompts->len; p++)
    {
      SourcePrompt *prompt = g_ptr_array_index (src.prompts, p);
      guint n_turns = g_strv_length (prompt->turns);
      guint n_answers = 0;

      if (options->max_prompts > 0 && kept->len >= options->max_prompts)
        break;
      if (strlen (prompt->prompt_id) > KA_PACK_MAX_ID_BYTES)
        {
          add_note (notes, _("prompt %s: skipped, its ID is too long"), prompt->prompt_id);
          continue;
        }
      for (guint m = 0; m < chosen->len; m++)
        {
          SourceModel *model = g_ptr_array_index (chosen, m);
          char **turns = g_hash_table_lookup (model->answers, prompt->prompt_id);

          if (is_usable_answer (turns, n_turns))
            n_answers++;
          else if (turns != NULL)
            add_note (notes, _("prompt %s, model %s: answer skipped (an API error, a missing "
                               "turn or a turn over %d bytes)"),
                      prompt->prompt_id, model->key, KA_PACK_MAX_TEXT_BYTES);
        }
      if (n_answers < 2)
        {
          add_note (notes, _("prompt %s: skipped, %u usable answer(s) from the chosen models"),
                    prompt->prompt_id, n_answers);
          continue;
        }
      g_ptr_array_add (kept, prompt);
    }
  if (kept->len == 0)
    {
      g_set_error (error, KA_PACK_BUILD_ERROR, KA_PACK_BUILD_ERROR_EMPTY,
                   _("no prompt in %s has answers from two of the chosen models"),
                   options->source_dir);
      return NULL;
    }

  /* created_at: reproducible, never the wall clock. */
  source_epoch = g_getenv ("SOURCE_DATE_EPOCH");
  if (options->created_at != NULL)
    created_at = g_strdup (options->created_at);
  else
    {
      /* Answer time stamps travel with the data; file times do not survive a copy. */
      gint64 when = src.newest_answer > 0 ? src.newest_answer : src.newest_file;
      g_autoptr(GDateTime) dt = NULL;

      if (source_epoch != NULL && source_epoch[0] != '\0')
        when = g_ascii_strtoll (source_epoch, NULL, 10);
      dt = g_date_time_new_from_unix_utc (when);
      if (dt == NULL)
        dt = g_date_time_new_from_unix_utc (0);
      created_at = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
    }

  for (guint m = 0; m < chosen->len; m++)
    {
      SourceModel *model = g_ptr_array_index (chosen, m);
      g_auto(GStrv) family = ka_identity_terms_for_model (model->key);

      for (guint i = 0; family[i] != NULL; i++)
        add_term (terms, family[i]);
    }
  if (options->identity_terms != NULL)
    for (guint i = 0; options->identity_terms[i] != NULL; i++)
      if (options->identity_terms[i][0] != '\0')
        add_term (terms, options->identity_terms[i]);

  builder = json_builder_new_immutable ();
  json_builder_begin_object (builder);
  add_member (builder, "format", KA_PACK_FORMAT);
  add_member (builder, "pack_id", pack_id);
  json_builder_set_member_name (builder, "title");
  json_builder_begin_object (builder);
  add_member (builder, "ko", title_ko);
  add_member (builder, "en", title_en);
  json_builder_end_object (builder);
  add_member (builder, "language", language);
  add_member (builder, "created_at", created_at);

  if (!options->sealed)
    {
      json_builder_set_member_name (builder, "models");
      json_builder_begin_array (builder);
      for (guint m = 0; m < chosen->len; m++)
        {
          SourceModel *model = g_ptr_array_index (chosen, m);

          json_builder_begin_object (builder);
          add_member (builder, "model_id", model->key);
          add_member (builder, "display_name", model->display_name);
          if (model->organisation != NULL)
            add_member (builder, "organisation", model->organisation);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }

  json_builder_set_member_name (builder, "prompts");
  json_builder_begin_array (builder);
  for (guint p = 0; p < kept->len; p++)
    {
      SourcePrompt *prompt = g_ptr_array_index (kept, p);

      json_builder_begin_object (builder);
      add_member (builder, "prompt_id", prompt->prompt_id);
      if (prompt->category != NULL && prompt->category[0] != '\0')
        add_member (builder, "category", prompt->category);
      add_string_array (builder, "turns", prompt->turns, g_strv_length (prompt->turns));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  used_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  json_builder_set_member_name (builder, "responses");
  json_builder_begin_array (builder);
  for (guint p = 0; p < kept->len; p++)
    {
      SourcePrompt *prompt = g_ptr_array_index (kept, p);
      guint n_turns = g_strv_length (prompt->turns);

      for (guint m = 0; m < chosen->len; m++)
        {
          SourceModel *model = g_ptr_array_index (chosen, m);
          char **turns = g_hash_table_lookup (model->answers, prompt->prompt_id);
          g_autofree char *response_id = NULL;

          if (!is_usable_answer (turns, n_turns))
            continue;
          response_id = ka_pack_build_response_id (options->id_secret, pack_id,
                                                   prompt->prompt_id, model->key);
          if (!g_hash_table_add (used_ids, g_strdup (response_id)))
            {
              /* 48 bits: a clash is a one-in-10^8 event even for 200,000 responses. */
              g_set_error (error, KA_PACK_BUILD_ERROR, KA_PACK_BUILD_ERROR_SOURCE,
                           _("response ID clash (%s); choose another pack ID or secret"),
                           response_id);
              return NULL;
            }

          json_builder_begin_object (builder);
          add_member (builder, "response_id", response_id);
          add_member (builder, "prompt_id", prompt->prompt_id);
          if (!options->sealed)
            add_member (builder, "model_id", model->key);
          add_string_array (builder, "turns", turns, n_turns);
          json_builder_end_object (builder);
        }
      report (&progress, "writing the pack",
              READ_SHARE + (WRITE_SHARE - READ_SHARE) * (p + 1) / kept->len);
    }
  json_builder_end_array (builder);

  g_ptr_array_add (terms, NULL);
  add_string_array (builder, "identity_terms", (char **) terms->pdata, terms->len - 1);
  add_member (builder, "licence", licence);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &text_len);

  /* Over the size limit after all (the estimate runs high, so it let this one through):
   * the exact size, and how many prompts would fit. */
  if (text_len + 1 > KA_PACK_MAX_BYTES)
    {
      guint fit = (guint) (0.95 * KA_PACK_MAX_BYTES / ((double) (text_len + 1) / kept->len));

      g_set_error (error, KA_PACK_BUILD_ERROR, KA_PACK_BUILD_ERROR_TOO_LARGE,
                   _("the pack is %" PRIu64 " bytes (%u prompts × %u models), more "
                     "than the limit of %d bytes (%d MiB); about %u prompts would fit with "
                     "these models"),
                   (guint64) text_len + 1, kept->len, chosen->len, KA_PACK_MAX_BYTES,
                   KA_PACK_MAX_BYTES / (1024 * 1024), MIN (fit, kept->len));
      return NULL;
    }

  /* One trailing newline, as text files have. */
  bytes = g_bytes_new_take (g_strconcat (text, "\n", NULL), text_len + 1);
  report (&progress, "checking the pack", WRITE_SHARE);
  pack = ka_pack_new_from_bytes (bytes, error);
  if (pack != NULL)
    report (&progress, "done", 1.0);
  return g_steal_pointer (&pack);
}
