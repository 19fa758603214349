/* ka-test-source.c: large pack sources for tests and benchmarks, made from a real one
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Organisers' packs are 40–50 MB with dozens of models (issue 9); the real ko-arena-hard
 * source is 100 prompts × 6 models (2 MB). ka_test_source_make() writes a FastChat-style
 * source with the real prompts and answers repeated under new IDs, and more models as
 * copies of the real ones under new names, for the real builder to read. Nothing is
 * committed: it is generated where it is used and removed afterwards.
 */

#define G_LOG_DOMAIN "ka-test-source"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ka-test-source.h"

/**
 * ka_test_source_real_dir:
 *
 * Returns: (transfer full) (nullable): `$KA_SHARED_DATA/ko_arena_hard`, or %NULL when it is
 *   not there (the caller skips)
 */
char *
ka_test_source_real_dir (void)
{
  const char *shared = g_getenv ("KA_SHARED_DATA");
  g_autofree char *dir = NULL;

  if (shared == NULL)
    return NULL;
  dir = g_build_filename (shared, "ko_arena_hard", NULL);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return NULL;
  return g_steal_pointer (&dir);
}

/* Writes @copies copies of every line of @in to @out, `question_id` suffixed "-NNN". */
static gboolean
replicate (const char  *in,
           const char  *out,
           guint        copies,
           GError     **error)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  if (!g_file_get_contents (in, &contents, NULL, error))
    return FALSE;
  lines = g_strsplit (contents, "\n", -1);

  for (guint c = 0; c < copies; c++)
    for (guint i = 0; lines[i] != NULL; i++)
      {
        JsonObject *obj;
        g_autofree char *id = NULL;
        g_autofree char *line = NULL;

        if (g_strstrip (lines[i])[0] == '\0')
          continue;
        if (!json_parser_load_from_data (parser, lines[i], -1, error))
          return FALSE;
        obj = json_node_get_object (json_parser_get_root (parser));
        id = g_strdup_printf ("%s-%03u", json_object_get_string_member (obj, "question_id"), c);
        json_object_set_string_member (obj, "question_id", id);
        json_generator_set_root (generator, json_parser_get_root (parser));
        line = json_generator_to_data (generator, NULL);
        g_string_append (text, line);
        g_string_append_c (text, '\n');
      }

  return g_file_set_contents (out, text->str, (gssize) text->len, error);
}

/**
 * ka_test_source_make:
 * @real_dir: a ko-arena-hard source (question.jsonl, model_answer/)
 * @dir: where to write the new source (created)
 * @copies: how many times each prompt and answer is repeated (100 prompts each)
 * @n_models: how many models: the real ones first, then copies of them named
 *   `<real>-vNN` (symbolic links to the real ones' copies); at least the real number
 *
 * Returns: %FALSE with @error set on an I/O error
 */
gboolean
ka_test_source_make (const char  *real_dir,
                     const char  *dir,
                     guint        copies,
                     guint        n_models,
                     GError     **error)
{
  g_autofree char *in = g_build_filename (real_dir, "question.jsonl", NULL);
  g_autofree char *out = g_build_filename (dir, "question.jsonl", NULL);
  g_autofree char *answers_in = g_build_filename (real_dir, "model_answer", NULL);
  g_autofree char *answers_out = g_build_filename (dir, "model_answer", NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = NULL;
  const char *name;

  if (g_mkdir_with_parents (answers_out, 0700) != 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot create %s", answers_out);
      return FALSE;
    }
  if (!replicate (in, out, copies, error))
    return FALSE;

  if ((d = g_dir_open (answers_in, 0, error)) == NULL)
    return FALSE;
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".jsonl"))
      g_ptr_array_add (names, g_strndup (name, strlen (name) - strlen (".jsonl")));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_return_val_if_fail (names->len > 0, FALSE);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *file = g_strconcat (g_ptr_array_index (names, i), ".jsonl", NULL);
      g_autofree char *src = g_build_filename (answers_in, file, NULL);
      g_autofree char *dst = g_build_filename (answers_out, file, NULL);

      if (!replicate (src, dst, copies, error))
        return FALSE;
    }

  for (guint i = names->len; i < n_models; i++)
    {
      const char *real = g_ptr_array_index (names, i % names->len);
      g_autofree char *target = g_strconcat (real, ".jsonl", NULL);
      g_autofree char *file = g_strdup_printf ("%s-v%02u.jsonl", real, i);
      g_autofree char *link = g_build_filename (answers_out, file, NULL);

      if (symlink (target, link) != 0)
        {
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                       "cannot link %s: %s", link, g_strerror (errno));
          return FALSE;
        }
    }
  return TRUE;
}

/* Removes what ka_test_source_make() wrote (and a pack beside it), then @dir. */
void
ka_test_source_remove (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        ka_test_source_remove (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}
