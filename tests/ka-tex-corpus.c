/* ka-tex-corpus.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-tex-corpus"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "ka-tex-corpus.h"

/* Formulas as a reader of the answer would see them: outside code blocks and code
 * spans, between \( \), \[ \], $$ $$, or $ $ where (as in pandoc) the opening $ is followed
 * by a non-space, the closing one preceded by a non-space and not followed by a digit, so
 * "$5 and $10" stays money. */
void
ka_tex_corpus_extract (const char *markdown,
                       GPtrArray  *out)
{
  const char *p = markdown;
  gboolean line_start = TRUE;
  gboolean in_fence = FALSE;

  while (*p != '\0')
    {
      if (line_start)
        {
          const char *q = p;

          while (*q == ' ')
            q++;
          if (g_str_has_prefix (q, "```") || g_str_has_prefix (q, "~~~"))
            {
              in_fence = !in_fence;
              p = strchr (q, '\n');
              if (p == NULL)
                return;
              p++;
              continue;
            }
        }
      line_start = FALSE;

      if (*p == '\n')
        {
          line_start = TRUE;
          p++;
          continue;
        }
      if (in_fence)
        {
          p++;
          continue;
        }

      if (*p == '`')
        {
          const char *close = strchr (p + 1, '`');

          p = close != NULL ? close + 1 : p + 1;
          continue;
        }

      if (p[0] == '\\' && (p[1] == '(' || p[1] == '['))
        {
          const char *closer = p[1] == '(' ? "\\)" : "\\]";
          const char *close = strstr (p + 2, closer);

          if (close != NULL)
            {
              g_ptr_array_add (out, g_strndup (p + 2, close - p - 2));
              p = close + 2;
              continue;
            }
          p += 2;
          continue;
        }
      if (p[0] == '\\' && p[1] != '\0')
        {
          p += 2;  /* \$ is a dollar sign */
          continue;
        }

      if (p[0] == '$' && p[1] == '$')
        {
          const char *close = strstr (p + 2, "$$");

          if (close != NULL)
            {
              g_ptr_array_add (out, g_strndup (p + 2, close - p - 2));
              p = close + 2;
              continue;
            }
          p += 2;
          continue;
        }
      if (p[0] == '$' && p[1] != '\0' && !g_ascii_isspace (p[1]))
        {
          const char *q = p + 1;

          while (*q != '\0' && *q != '\n')
            {
              if (*q == '\\' && q[1] != '\0')
                {
                  q += 2;
                  continue;
                }
              if (*q == '$' && !g_ascii_isspace (q[-1]) && !g_ascii_isdigit (q[1]))
                break;
              q++;
            }
          if (*q == '$')
            {
              g_ptr_array_add (out, g_strndup (p + 1, q - p - 1));
              p = q + 1;
              continue;
            }
        }
      p++;
    }
}

static void
scan_file (const char *path,
           GHashTable *seen,
           GPtrArray  *formulas,
           guint      *n_answers)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;
  lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object;
      JsonArray *choices;
      const char *line = lines[i];

      if (g_str_has_prefix (line, "\xef\xbb\xbf"))
        line += 3;
      if (*line == '\0' || !json_parser_load_from_data (parser, line, -1, NULL))
        continue;
      if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        continue;
      object = json_node_get_object (json_parser_get_root (parser));
      if (!json_object_has_member (object, "choices"))
        continue;
      choices = json_object_get_array_member (object, "choices");
      for (guint c = 0; c < json_array_get_length (choices); c++)
        {
          JsonObject *choice = json_array_get_object_element (choices, c);
          JsonArray *turns = json_object_get_array_member (choice, "turns");

          for (guint t = 0; turns != NULL && t < json_array_get_length (turns); t++)
            {
              JsonNode *turn = json_array_get_element (turns, t);
              g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
              const char *text = NULL;

              if (JSON_NODE_HOLDS_VALUE (turn))
                text = json_node_get_string (turn);
              else if (JSON_NODE_HOLDS_OBJECT (turn))
                text = json_object_get_string_member_with_default (json_node_get_object (turn),
                                                                   "content", NULL);
              if (text == NULL)
                continue;
              (*n_answers)++;
              ka_tex_corpus_extract (text, found);
              for (guint f = 0; f < found->len; f++)
                {
                  char *formula = g_ptr_array_index (found, f);

                  if (g_hash_table_contains (seen, formula))
                    continue;
                  g_hash_table_add (seen, g_strdup (formula));
                  g_ptr_array_add (formulas, g_strdup (formula));
                }
            }
        }
    }
}

static void
scan_folder (const char *folder,
             GHashTable *seen,
             GPtrArray  *formulas,
             guint      *n_answers)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".jsonl"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (folder, g_ptr_array_index (names, i), NULL);

      scan_file (path, seen, formulas, n_answers);
    }
}

/* Unique formulas from the answers in tests/data and, when KA_SHARED_DATA is set, the
 * shared data set (the same answer files, and the Korean MT-bench reference answers). */
GPtrArray *
ka_tex_corpus_load (guint *n_answers)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *formulas = g_ptr_array_new_with_free_func (g_free);
  const char *shared = g_getenv ("KA_SHARED_DATA");
  const char *sets[] = { "ko_arena_hard/model_answer", "mt_bench/model_answer",
                         "komt_bench/reference_answer_ko" };
  guint answers = 0;

  for (guint i = 0; i < G_N_ELEMENTS (sets); i++)
    {
      g_autofree char *local = g_test_build_filename (G_TEST_DIST, "data", sets[i], NULL);

      /* tests/data holds byte-identical copies of the shared files it has. */
      if (g_file_test (local, G_FILE_TEST_IS_DIR))
        scan_folder (local, seen, formulas, &answers);
      else if (shared != NULL)
        {
          g_autofree char *path = g_build_filename (shared, sets[i], NULL);

          scan_folder (path, seen, formulas, &answers);
        }
    }

  if (n_answers != NULL)
    *n_answers = answers;
  return formulas;
}
