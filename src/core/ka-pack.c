/* ka-pack.c: the battle pack `kai-arena-pack/1` (DESIGN.md §3)
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-pack"

#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <string.h>

#include "ka-pack.h"

/* Limits not in the header: short display strings and the list of identity terms. */
#define MAX_NAME_BYTES      256     /* display_name, organisation, category, title, term */
#define MAX_LICENCE_BYTES   4096
#define MAX_IDENTITY_TERMS  1024

G_DEFINE_QUARK (ka-pack-error-quark, ka_pack_error)

struct _KaPack
{
  GObject     parent_instance;

  /* owned */
  GBytes     *bytes;
  char       *content_hash;
  char       *pack_id;
  char       *language;
  char       *created_at;
  char       *licence;           /* (nullable) */
  GHashTable *titles;            /* language tag → title */
  char      **identity_terms;    /* never NULL */
  gboolean    sealed;

  GPtrArray  *models;            /* KaPackModel* */
  GPtrArray  *prompts;           /* KaPackPrompt* */
  GPtrArray  *responses;         /* KaPackResponse* */

  /* ID → record (borrowed from the arrays above) */
  GHashTable *model_index;
  GHashTable *prompt_index;
  GHashTable *response_index;
  /* prompt_id → GPtrArray of KaPackResponse* (borrowed), in pack order */
  GHashTable *prompt_responses;
  /* (nullable) sealed response ID → response ID: the collector's seal map */
  GHashTable *response_aliases;
};

G_DEFINE_FINAL_TYPE (KaPack, ka_pack, G_TYPE_OBJECT)

static void
model_free (gpointer data)
{
  KaPackModel *model = data;

  g_free (model->model_id);
  g_free (model->display_name);
  g_free (model->organisation);
  g_free (model);
}

static void
prompt_free (gpointer data)
{
  KaPackPrompt *prompt = data;

  g_free (prompt->prompt_id);
  g_free (prompt->category);
  g_strfreev (prompt->turns);
  g_free (prompt);
}

static void
response_free (gpointer data)
{
  KaPackResponse *response = data;

  g_free (response->response_id);
  g_free (response->prompt_id);
  g_free (response->model_id);
  g_strfreev (response->turns);
  g_free (response);
}

static void
ka_pack_finalize (GObject *object)
{
  KaPack *self = KA_PACK (object);

  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_clear_pointer (&self->content_hash, g_free);
  g_clear_pointer (&self->pack_id, g_free);
  g_clear_pointer (&self->language, g_free);
  g_clear_pointer (&self->created_at, g_free);
  g_clear_pointer (&self->licence, g_free);
  g_clear_pointer (&self->titles, g_hash_table_unref);
  g_clear_pointer (&self->identity_terms, g_strfreev);
  g_clear_pointer (&self->model_index, g_hash_table_unref);
  g_clear_pointer (&self->prompt_index, g_hash_table_unref);
  g_clear_pointer (&self->response_index, g_hash_table_unref);
  g_clear_pointer (&self->prompt_responses, g_hash_table_unref);
  g_clear_pointer (&self->response_aliases, g_hash_table_unref);
  g_clear_pointer (&self->models, g_ptr_array_unref);
  g_clear_pointer (&self->prompts, g_ptr_array_unref);
  g_clear_pointer (&self->responses, g_ptr_array_unref);

  G_OBJECT_CLASS (ka_pack_parent_class)->finalize (object);
}

static void
ka_pack_class_init (KaPackClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ka_pack_finalize;
}

static void
ka_pack_init (KaPack *self)
{
  self->titles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->models = g_ptr_array_new_with_free_func (model_free);
  self->prompts = g_ptr_array_new_with_free_func (prompt_free);
  self->responses = g_ptr_array_new_with_free_func (response_free);
  self->model_index = g_hash_table_new (g_str_hash, g_str_equal);
  self->prompt_index = g_hash_table_new (g_str_hash, g_str_equal);
  self->response_index = g_hash_table_new (g_str_hash, g_str_equal);
  self->prompt_responses = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                  (GDestroyNotify) g_ptr_array_unref);
}

/* ------------------------------------------------------------------------------------------ */
/* Strict lexical pass.
 *
 * json-glib 1.6 is lenient (it accepts comments, single quotes, "\x", raw control characters,
 * leading zeros, several top-level values, an empty document; it keeps only the last of two
 * equal keys and cuts a string at "\u0000") and it recurses once per nesting level. So before
 * json-glib sees a byte, this non-recursive scanner checks the whole document against
 * RFC 8259, refuses duplicate keys and stops at KA_PACK_MAX_DEPTH. A pack that passes means
 * the same thing to every conforming parser (the collector's included).
 */

typedef struct
{
  gboolean    is_object;
  guint       index;       /* arrays: index of the current element */
  GString    *key;         /* objects: the current key (decoded) */
  GHashTable *keys;        /* objects: keys seen so far */
} Frame;

typedef struct
{
  const char *data;
  gsize       len;
  gsize       pos;
  Frame       frames[KA_PACK_MAX_DEPTH];
  guint       depth;
} Scanner;

static char *
scanner_path (Scanner *sc,
              guint    n_frames)
{
  GString *path = g_string_new (NULL);

  for (guint i = 0; i < n_frames; i++)
    {
      Frame *frame = &sc->frames[i];

      if (frame->is_object)
        {
          if (frame->key->len == 0 && frame->keys != NULL && g_hash_table_size (frame->keys) == 0)
            break;
          if (path->len > 0)
            g_string_append_c (path, '.');
          g_string_append (path, frame->key->str);
        }
      else
        g_string_append_printf (path, "[%u]", frame->index);
    }

  return g_string_free (path, FALSE);
}

static void
scanner_line_column (Scanner *sc,
                     gsize    offset,
                     guint   *line,
                     guint   *column)
{
  gsize line_start = 0;

  *line = 1;
  for (gsize i = 0; i < offset && i < sc->len; i++)
    {
      if (sc->data[i] == '\n')
        {
          (*line)++;
          line_start = i + 1;
        }
    }
  /* The document is valid UTF-8 by now, so count characters, not bytes. */
  *column = (guint) g_utf8_pointer_to_offset (sc->data + line_start, sc->data + offset) + 1;
}

G_GNUC_PRINTF (4, 5)
static gboolean
scanner_fail (Scanner    *sc,
              int         code,
              GError    **error,
              const char *format,
              ...)
{
  g_autofree char *what = NULL;
  g_autofree char *path = NULL;
  va_list args;
  guint line, column;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  path = scanner_path (sc, sc->depth);
  scanner_line_column (sc, sc->pos, &line, &column);

  if (path[0] != '\0')
    g_set_error (error, KA_PACK_ERROR, code,
                 _("%s: %s (line %u, column %u, byte offset %" PRIu64 ")"),
                 path, what, line, column, (guint64) sc->pos);
  else
    g_set_error (error, KA_PACK_ERROR, code,
                 _("%s (line %u, column %u, byte offset %" PRIu64 ")"),
                 what, line, column, (guint64) sc->pos);
  return FALSE;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
scan_hex4 (Scanner  *sc,
           gunichar *out)
{
  gunichar value = 0;

  if (sc->pos + 4 > sc->len)
    return FALSE;
  for (guint i = 0; i < 4; i++)
    {
      int v = hex_value (sc->data[sc->pos + i]);

      if (v < 0)
        return FALSE;
      value = (value << 4) | (gunichar) v;
    }
  sc->pos += 4;
  *out = value;
  return TRUE;
}

/* sc->pos is on the opening quote. Decodes into @decoded when it is not NULL. */
static gboolean
scan_string (Scanner  *sc,
             GString  *decoded,
             GError  **error)
{
  sc->pos++;

  while (sc->pos < sc->len)
    {
      guchar c = (guchar) sc->data[sc->pos];

      if (c == '"')
        {
          sc->pos++;
          return TRUE;
        }
      if (c < 0x20)
        return scanner_fail (sc, KA_PACK_ERROR_SYNTAX, error,
                             _("control character U+%04X must be escaped in a string"), c);
      if (c != '\\')
        {
          if (decoded != NULL)
            g_string_append_c (decoded, (char) c);
          sc->pos++;
          continue;
        }

      sc->pos++;
      if (sc->pos >= sc->len)
        break;

      c = (guchar) sc->data[sc->pos++];
      switch (c)
        {
        case '"': case '\\': case '/':
          if (decoded != NULL)
            g_string_append_c (decoded, (char) c);
          break;
        case 'b':
          if (decoded != NULL)
            g_string_append_c (decoded, '\b');
          break;
        case 'f':
          if (decoded != NULL)
            g_string_append_c (decoded, '\f');
          break;
        case 'n':
          if (decoded != NULL)
            g_string_append_c (decoded, '\n');
          break;
        case 'r':
          if (decoded != NULL)
            g_string_append_c (decoded, '\r');
          break;
        case 't':
          if (decoded != NULL)
            g_string_append_c (decoded, '\t');
          break;
        case 'u':
          {
            gunichar ch;

            if (!scan_hex4 (sc, &ch))
              return scanner_fail (sc, KA_PACK_ERROR_SYNTAX, error,
                                   _("\\u must be followed by four hexadecimal digits"));
            if (ch == 0)
              return scanner_fail (sc, KA_PACK_ERROR_SYNTAX, error,
                                   _("\\u0000 is not allowed in a string"));
            if (ch >= 0xDC00 && ch <= 0xDFFF)
              return scanner_fail (sc, KA_PACK_ERROR_SYNTAX, error,
                                   _("unpaired UTF-16 surrogate \\u%04X"), ch);
            if (ch >= 0xD800 && ch <= 0xDBFF)
              {
                gunichar low;

                if (sc->pos + 2 > sc->len || sc->data[sc->pos] != '\\' ||
                    sc->data[sc->pos + 1] != 'u')
                  return scanner_fail (sc, KA_PACK_ERROR_SYNTAX, error,
                                       _("unpaired UTF-16 surrogate \\u%04X"), ch);
                sc->pos += 2;
                if (!scan_hex4 (sc, &low) || low < 0xDC00 || low > 0xDFFF)
                  return scanner_fail (sc, KA_PACK_ERROR_SYNTAX, error,
                                       _("unpaired UTF-16 surrogate \\u%04X"), ch);
                ch = 0x10000 + ((ch - 0xD800) << 10) + (low - 0xDC00);
              }
            if (decoded != NULL)
              g_string_append_unichar (decoded, ch);
          }
          break;
        default:
          sc->pos--;
          return scanner_fail (sc, KA_PACK_ERROR_SYNTAX, error,
                               _("invalid escape sequence in a string"));
        }
    }

  return scanner_fail (sc, KA_PACK_ERROR_SYNTAX, error,
                       _("unterminated string (the document is truncated)"));
}

static gboolean
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

static gboolean
scan_number (Scanner  *sc,
             GError  **error)
{
  const char *d = sc->data;

  if (d[sc->pos] == '-')
    sc->pos++;
  if (sc->pos >= sc->len || !is_digit (d[sc->pos]))
    return scanner_fail (sc, KA_PACK_ERROR_SYNTAX, error, _("invalid number"));
  if (d[sc->pos] == '0')
    {
      sc->pos++;
      if (sc->pos < sc->len && is_digit (d[sc->pos]))
        return scanner_fail (sc, KA_PACK_ERROR_SYNTAX, error,
                             _("invalid number (leading zero)"));
    }
  else
    while (sc->pos < sc->len && is_digit (d[sc->pos]))
      sc->pos++;

  if (sc->pos < sc->len && d[sc->pos] == '.')
    {
      sc->pos++;
      if (sc->pos >= sc->len || !is_digit (d[sc->pos]))
        return scanner_fail (sc, KA_PACK_ERROR_SYNTAX, error, _("invalid number"));
      while (sc->pos < sc->len && is_digit (d[sc->pos]))
        sc->pos++;
    }

  if (sc->pos < sc->len && (d[sc->pos] == 'e' || d[sc->pos] == 'E'))
    {
      sc->pos++;
      if (sc->pos < sc->len && (d[sc->pos] == '+' || d[sc->pos] == '-'))
        sc->pos++;
      if (sc->pos >= sc->len || !is_digit (d[sc->pos]))
        return scanner_fail (sc, KA_PACK_ERROR_SYNTAX, error, _("invalid number"));
      while (sc->pos < sc->len && is_digit (d[sc->pos]))
        sc->pos++;
    }

  return TRUE;
}

static gboolean
scan_literal (Scanner  *sc,
              GError  **error)
{
  static const char * const literals[] = { "true", "false", "null" };

  for (guint i = 0; i < G_N_ELEMENTS (literals); i++)
    {
      gsize n = strlen (literals[i]);

      if (sc->len - sc->pos >= n && memcmp (sc->data + sc->pos, literals[i], n) == 0)
        {
          sc->pos += n;
          return TRUE;
        }
    }

  return scanner_fail (sc, KA_PACK_ERROR_SYNTAX, error, _("expected a value"));
}

static gboolean
scanner_push (Scanner   *sc,
              gboolean   is_object,
              GError   **error)
{
  Frame *frame;

  if (sc->depth >= KA_PACK_MAX_DEPTH)
    return scanner_fail (sc, KA_PACK_ERROR_TOO_LARGE, error,
                         _("nesting deeper than %d levels"), KA_PACK_MAX_DEPTH);

  frame = &sc->frames[sc->depth++];
  frame->is_object = is_object;
  frame->index = 0;
  if (frame->key == NULL)
    frame->key = g_string_new (NULL);
  g_string_truncate (frame->key, 0);
  if (is_object)
    {
      if (frame->keys == NULL)
        frame->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      else
        g_hash_table_remove_all (frame->keys);
    }
  sc->pos++;
  return TRUE;
}

static void
scanner_clear (Scanner *sc)
{
  for (guint i = 0; i < G_N_ELEMENTS (sc->frames); i++)
    {
      if (sc->frames[i].key != NULL)
        g_string_free (sc->frames[i].key, TRUE);
      g_clear_pointer (&sc->frames[i].keys, g_hash_table_unref);
    }
}

enum
{
  ST_VALUE,
  ST_VALUE_OR_END,    /* just after '[' */
  ST_KEY_OR_END,      /* just after '{' */
  ST_KEY,             /* after ',' in an object */
  ST_COLON,
  ST_COMMA_OR_END,
  ST_DONE,
};

static gboolean
check_json_text (const char  *data,
                 gsize        len,
                 GError     **error)
{
  Scanner sc = { data, len, 0, { { 0 } }, 0 };
  int state = ST_VALUE;
  gboolean ok = FALSE;

  while (TRUE)
    {
      char c;

      while (sc.pos < len &&
             (data[sc.pos] == ' ' || data[sc.pos] == '\t' ||
              data[sc.pos] == '\n' || data[sc.pos] == '\r'))
        sc.pos++;

      if (sc.pos >= len)
        break;
      c = data[sc.pos];

      switch (state)
        {
        case ST_VALUE_OR_END:
          if (c == ']')
            {
              sc.depth--;
              sc.pos++;
              state = sc.depth == 0 ? ST_DONE : ST_COMMA_OR_END;
              break;
            }
          G_GNUC_FALLTHROUGH;
        case ST_VALUE:
          if (c == '{')
            {
              if (!scanner_push (&sc, TRUE, error))
                goto out;
              state = ST_KEY_OR_END;
              break;
            }
          if (c == '[')
            {
              if (!scanner_push (&sc, FALSE, error))
                goto out;
              state = ST_VALUE_OR_END;
              break;
            }
          if (c == '"')
            {
              if (!scan_string (&sc, NULL, error))
                goto out;
            }
          else if (c == '-' || is_digit (c))
            {
              if (!scan_number (&sc, error))
                goto out;
            }
          else if (!scan_literal (&sc, error))
            goto out;
          state = sc.depth == 0 ? ST_DONE : ST_COMMA_OR_END;
          break;

        case ST_KEY_OR_END:
          if (c == '}')
            {
              sc.depth--;
              sc.pos++;
              state = sc.depth == 0 ? ST_DONE : ST_COMMA_OR_END;
              break;
            }
          G_GNUC_FALLTHROUGH;
        case ST_KEY:
          {
            Frame *frame = &sc.frames[sc.depth - 1];
            gsize key_start = sc.pos;

            if (c != '"')
              {
                scanner_fail (&sc, KA_PACK_ERROR_SYNTAX, error,
                              _("expected a string key"));
                goto out;
              }
            g_string_truncate (frame->key, 0);
            if (!scan_string (&sc, frame->key, error))
              goto out;
            if (g_hash_table_contains (frame->keys, frame->key->str))
              {
                g_autofree char *key = g_strdup (frame->key->str);

                /* Report the object's path, not the repeated member's. */
                g_string_truncate (frame->key, 0);
                g_hash_table_remove_all (frame->keys);
                sc.pos = key_start;
                scanner_fail (&sc, KA_PACK_ERROR_INVALID, error,
                              _("duplicate key \"%s\""), key);
                goto out;
              }
            g_hash_table_add (frame->keys, g_strdup (frame->key->str));
            state = ST_COLON;
          }
          break;

        case ST_COLON:
          if (c != ':')
            {
              scanner_fail (&sc, KA_PACK_ERROR_SYNTAX, error, _("expected ':'"));
              goto out;
            }
          sc.pos++;
          state = ST_VALUE;
          break;

        case ST_COMMA_OR_END:
          {
            Frame *frame = &sc.frames[sc.depth - 1];

            if (c == ',')
              {
                sc.pos++;
                if (frame->is_object)
                  state = ST_KEY;
                else
                  {
                    frame->index++;
                    state = ST_VALUE;
                  }
              }
            else if (c == (frame->is_object ? '}' : ']'))
              {
                sc.depth--;
                sc.pos++;
                state = sc.depth == 0 ? ST_DONE : ST_COMMA_OR_END;
              }
            else
              {
                if (frame->is_object)
                  scanner_fail (&sc, KA_PACK_ERROR_SYNTAX, error, _("expected ',' or '}'"));
                else
                  scanner_fail (&sc, KA_PACK_ERROR_SYNTAX, error, _("expected ',' or ']'"));
                goto out;
              }
          }
          break;

        case ST_DONE:
        default:
          scanner_fail (&sc, KA_PACK_ERROR_SYNTAX, error,
                        _("unexpected data after the end of the JSON document"));
          goto out;
        }
    }

  if (state != ST_DONE)
    {
      if (sc.depth == 0 && state == ST_VALUE)
        scanner_fail (&sc, KA_PACK_ERROR_SYNTAX, error, _("the document is empty"));
      else
        scanner_fail (&sc, KA_PACK_ERROR_SYNTAX, error,
                      _("unexpected end of the document (truncated?)"));
      goto out;
    }

  ok = TRUE;

out:
  scanner_clear (&sc);
  return ok;
}

/* ------------------------------------------------------------------------------------------ */
/* Field checks on the parsed tree. Every error names the field path, e.g.
 * "responses[12].turns[1]: expected a string, got number".
 */

static const char *
node_type_name (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return "object";
    case JSON_NODE_ARRAY:
      return "array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
    default:
      break;
    }

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return "string";
    case G_TYPE_BOOLEAN:
      return "boolean";
    default:
      return "number";
    }
}

static gboolean
is_string_node (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
fail_type (const char  *path,
           const char  *expected,
           JsonNode    *node,
           GError     **error)
{
  g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
               _("%s: expected %s, got %s"), path, expected, node_type_name (node));
  return FALSE;
}

static gboolean
has_control_chars (const char *s)
{
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
        return TRUE;
    }
  return FALSE;
}

/* Checks that @obj has only the keys in @allowed (NULL-terminated). */
static gboolean
check_keys (JsonObject         *obj,
            const char         *path,
            const char * const *allowed,
            GError            **error)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  json_object_iter_init (&iter, obj);
  while (json_object_iter_next (&iter, &name, &node))
    {
      if (!g_strv_contains (allowed, name))
        {
          if (path[0] == '\0')
            g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                         _("unknown top-level key \"%s\""), name);
          else
            g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                         _("%s: unknown key \"%s\""), path, name);
          return FALSE;
        }
    }
  return TRUE;
}

static char *
member_path (const char *path,
             const char *member)
{
  if (path[0] == '\0')
    return g_strdup (member);
  return g_strconcat (path, ".", member, NULL);
}

typedef enum
{
  STR_REQUIRED   = 1 << 0,   /* missing is an error */
  STR_NULLABLE   = 1 << 1,   /* null is accepted (as missing) */
  STR_NON_EMPTY  = 1 << 2,
  STR_ID         = 1 << 3,   /* non-empty, no control characters, KA_PACK_MAX_ID_BYTES */
} StrFlags;

/* Reads the string member @member of @obj; *out is borrowed from the tree (NULL when it
 * is missing or null and that is allowed). */
static gboolean
get_string (JsonObject  *obj,
            const char  *path,
            const char  *member,
            StrFlags     flags,
            gsize        max_bytes,
            const char **out,
            GError     **error)
{
  g_autofree char *mpath = NULL;
  JsonNode *node = json_object_get_member (obj, member);
  const char *value;
  gsize n;

  *out = NULL;
  if (node == NULL || (JSON_NODE_HOLDS_NULL (node) && (flags & STR_NULLABLE)))
    {
      if (flags & STR_REQUIRED)
        {
          if (path[0] == '\0')
            g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                         _("missing \"%s\""), member);
          else
            g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                         _("%s: missing \"%s\""), path, member);
          return FALSE;
        }
      return TRUE;
    }

  mpath = member_path (path, member);
  if (!is_string_node (node))
    return fail_type (mpath, _("a string"), node, error);

  value = json_node_get_string (node);
  n = strlen (value);
  if (flags & STR_ID)
    max_bytes = KA_PACK_MAX_ID_BYTES;
  if ((flags & (STR_NON_EMPTY | STR_ID)) && n == 0)
    {
      g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                   _("%s: must not be empty"), mpath);
      return FALSE;
    }
  if (n > max_bytes)
    {
      g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_TOO_LARGE,
                   _("%s: %" PRIu64 " bytes, more than the limit of %" PRIu64),
                   mpath, (guint64) n, (guint64) max_bytes);
      return FALSE;
    }
  if ((flags & STR_ID) && has_control_chars (value))
    {
      g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                   _("%s: an ID must not contain control characters"), mpath);
      return FALSE;
    }

  *out = value;
  return TRUE;
}

/* Reads the array member @member; missing is an error when @required. */
static gboolean
get_array (JsonObject  *obj,
           const char  *path,
           const char  *member,
           gboolean     required,
           guint        min_len,
           guint        max_len,
           JsonArray  **out,
           GError     **error)
{
  g_autofree char *mpath = NULL;
  JsonNode *node = json_object_get_member (obj, member);
  guint n;

  *out = NULL;
  if (node == NULL)
    {
      if (!required)
        return TRUE;
      if (path[0] == '\0')
        g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID, _("missing \"%s\""), member);
      else
        g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                     _("%s: missing \"%s\""), path, member);
      return FALSE;
    }

  mpath = member_path (path, member);
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail_type (mpath, _("an array"), node, error);

  *out = json_node_get_array (node);
  n = json_array_get_length (*out);
  if (n < min_len)
    {
      if (n == 0)
        g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                     _("%s: empty array (at least %u needed)"), mpath, min_len);
      else
        g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                     g_dngettext (GETTEXT_PACKAGE, "%s: %u item, at least %u needed",
                                  "%s: %u items, at least %u needed", n),
                     mpath, n, min_len);
      return FALSE;
    }
  if (n > max_len)
    {
      g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_TOO_LARGE,
                   _("%s: %u items, more than the limit of %u"), mpath, n, max_len);
      return FALSE;
    }
  return TRUE;
}

/* Reads a NULL-terminated vector of strings from the array @arr at @path. */
static char **
get_string_vector (JsonArray   *arr,
                   const char  *path,
                   gboolean     non_empty,
                   gsize        max_bytes,
                   GError     **error)
{
  guint n = json_array_get_length (arr);
  g_auto(GStrv) out = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (arr, i);
      char path_i[256];
      const char *value;
      gsize len;

      g_snprintf (path_i, sizeof path_i, "%s[%u]", path, i);
      if (!is_string_node (node))
        {
          fail_type (path_i, _("a string"), node, error);
          return NULL;
        }
      value = json_node_get_string (node);
      len = strlen (value);
      if (non_empty && len == 0)
        {
          g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                       _("%s: must not be empty"), path_i);
          return NULL;
        }
      if (len > max_bytes)
        {
          g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_TOO_LARGE,
                       _("%s: %" PRIu64 " bytes, more than the limit of %" PRIu64),
                       path_i, (guint64) len, (guint64) max_bytes);
          return NULL;
        }
      out[i] = g_strdup (value);
    }

  return g_steal_pointer (&out);
}

static JsonObject *
get_object_element (JsonArray   *arr,
                    guint        index,
                    const char  *path,
                    GError     **error)
{
  JsonNode *node = json_array_get_element (arr, index);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      fail_type (path, _("an object"), node, error);
      return NULL;
    }
  return json_node_get_object (node);
}

/* RFC 3339 date-time: 2026-11-29T00:00:00Z, optional fraction, Z or ±hh:mm. */
static gboolean
is_rfc3339 (const char *s)
{
  static const char shape[] = "dddd-dd-ddTdd:dd:dd";
  g_autoptr(GDateTime) dt = NULL;
  const char *p;

  for (guint i = 0; i < sizeof shape - 1; i++)
    {
      if (shape[i] == 'd' ? !is_digit (s[i]) : s[i] != shape[i])
        return FALSE;
    }
  p = s + sizeof shape - 1;
  if (*p == '.')
    {
      p++;
      if (!is_digit (*p))
        return FALSE;
      while (is_digit (*p))
        p++;
    }
  if (*p == 'Z')
    p++;
  else if ((*p == '+' || *p == '-') && is_digit (p[1]) && is_digit (p[2]) && p[3] == ':' &&
           is_digit (p[4]) && is_digit (p[5]))
    p += 6;
  else
    return FALSE;
  if (*p != '\0')
    return FALSE;

  /* The shape is right; let GLib check the calendar (month 13, 30 February, hour 25). */
  dt = g_date_time_new_from_iso8601 (s, NULL);
  return dt != NULL;
}

/* A language tag in the BCP 47 shape: ko, en, ko-KR, zh-Hant-TW. */
static gboolean
is_language_tag (const char *s)
{
  guint n = 0;

  while (g_ascii_isalpha (s[n]))
    n++;
  if (n < 2 || n > 8)
    return FALSE;
  s += n;
  while (*s == '-')
    {
      s++;
      n = 0;
      while (g_ascii_isalnum (s[n]))
        n++;
      if (n < 1 || n > 8)
        return FALSE;
      s += n;
    }
  return *s == '\0';
}

static gboolean
parse_title (KaPack      *self,
             JsonObject  *root,
             GError     **error)
{
  JsonNode *node = json_object_get_member (root, "title");
  JsonObjectIter iter;
  const char *lang;
  JsonNode *value;

  if (node == NULL)
    {
      g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID, _("missing \"title\""));
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail_type ("title", _("an object"), node, error);

  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &lang, &value))
    {
      g_autofree char *path = g_strconcat ("title.", lang, NULL);
      const char *text;
      gsize n;

      if (!is_language_tag (lang))
        {
          g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                       _("title: key \"%s\" is not a language tag"), lang);
          return FALSE;
        }
      if (!is_string_node (value))
        return fail_type (path, _("a string"), value, error);
      text = json_node_get_string (value);
      n = strlen (text);
      if (n == 0)
        {
          g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                       _("%s: must not be empty"), path);
          return FALSE;
        }
      if (n > MAX_NAME_BYTES)
        {
          g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_TOO_LARGE,
                       _("%s: %" PRIu64 " bytes, more than the limit of %d"),
                       path, (guint64) n, MAX_NAME_BYTES);
          return FALSE;
        }
      g_hash_table_insert (self->titles, g_strdup (lang), g_strdup (text));
    }

  for (guint i = 0; i < 2; i++)
    {
      const char *required = i == 0 ? "ko" : "en";

      if (!g_hash_table_contains (self->titles, required))
        {
          g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                       _("title: missing \"%s\""), required);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
parse_models (KaPack      *self,
              JsonArray   *models,
              GError     **error)
{
  static const char * const keys[] = { "model_id", "display_name", "organisation", NULL };
  guint n = json_array_get_length (models);

  for (guint i = 0; i < n; i++)
    {
      char path[64];
      JsonObject *obj;
      const char *model_id, *display_name, *organisation;
      KaPackModel *model, *other;

      g_snprintf (path, sizeof path, "models[%u]", i);
      if ((obj = get_object_element (models, i, path, error)) == NULL ||
          !check_keys (obj, path, keys, error) ||
          !get_string (obj, path, "model_id", STR_REQUIRED | STR_ID, 0, &model_id, error) ||
          !get_string (obj, path, "display_name", STR_REQUIRED | STR_NON_EMPTY,
                       MAX_NAME_BYTES, &display_name, error) ||
          !get_string (obj, path, "organisation", STR_NULLABLE | STR_NON_EMPTY,
                       MAX_NAME_BYTES, &organisation, error))
        return FALSE;

      if ((other = g_hash_table_lookup (self->model_index, model_id)) != NULL)
        {
          guint j;

          g_ptr_array_find (self->models, other, &j);
          g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                       _("%s.model_id: duplicate model ID \"%s\" (also models[%u])"),
                       path, model_id, j);
          return FALSE;
        }

      model = g_new0 (KaPackModel, 1);
      model->model_id = g_strdup (model_id);
      model->display_name = g_strdup (display_name);
      model->organisation = g_strdup (organisation);
      g_ptr_array_add (self->models, model);
      g_hash_table_insert (self->model_index, model->model_id, model);
    }
  return TRUE;
}

static gboolean
parse_prompts (KaPack      *self,
               JsonArray   *prompts,
               GError     **error)
{
  static const char * const keys[] = { "prompt_id", "category", "turns", NULL };
  guint n = json_array_get_length (prompts);

  for (guint i = 0; i < n; i++)
    {
      char path[64], turns_path[80];
      JsonObject *obj;
      JsonArray *turns;
      const char *prompt_id, *category;
      g_auto(GStrv) texts = NULL;
      KaPackPrompt *prompt, *other;

      g_snprintf (path, sizeof path, "prompts[%u]", i);
      g_snprintf (turns_path, sizeof turns_path, "prompts[%u].turns", i);
      if ((obj = get_object_element (prompts, i, path, error)) == NULL ||
          !check_keys (obj, path, keys, error) ||
          !get_string (obj, path, "prompt_id", STR_REQUIRED | STR_ID, 0, &prompt_id, error) ||
          !get_string (obj, path, "category", STR_NULLABLE | STR_NON_EMPTY, MAX_NAME_BYTES,
                       &category, error) ||
          !get_array (obj, path, "turns", TRUE, 1, KA_PACK_MAX_TURNS, &turns, error) ||
          (texts = get_string_vector (turns, turns_path, TRUE, KA_PACK_MAX_TEXT_BYTES,
                                      error)) == NULL)
        return FALSE;

      if ((other = g_hash_table_lookup (self->prompt_index, prompt_id)) != NULL)
        {
          guint j;

          g_ptr_array_find (self->prompts, other, &j);
          g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                       _("%s.prompt_id: duplicate prompt ID \"%s\" (also prompts[%u])"),
                       path, prompt_id, j);
          return FALSE;
        }

      prompt = g_new0 (KaPackPrompt, 1);
      prompt->prompt_id = g_strdup (prompt_id);
      prompt->category = g_strdup (category);
      prompt->n_turns = g_strv_length (texts);
      prompt->turns = g_steal_pointer (&texts);
      g_ptr_array_add (self->prompts, prompt);
      g_hash_table_insert (self->prompt_index, prompt->prompt_id, prompt);
      g_hash_table_insert (self->prompt_responses, prompt->prompt_id, g_ptr_array_new ());
    }
  return TRUE;
}

static gboolean
parse_responses (KaPack      *self,
                 JsonArray   *responses,
                 GError     **error)
{
  static const char * const keys[] = { "response_id", "prompt_id", "model_id", "turns", NULL };
  /* (prompt_id, model_id) → index, to refuse a model answering one prompt twice */
  g_autoptr(GHashTable) answered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n = json_array_get_length (responses);

  for (guint i = 0; i < n; i++)
    {
      char path[64], turns_path[80];
      JsonObject *obj;
      JsonArray *turns;
      const char *response_id, *prompt_id, *model_id;
      const KaPackPrompt *prompt;
      g_auto(GStrv) texts = NULL;
      KaPackResponse *response, *other;

      g_snprintf (path, sizeof path, "responses[%u]", i);
      g_snprintf (turns_path, sizeof turns_path, "responses[%u].turns", i);
      if ((obj = get_object_element (responses, i, path, error)) == NULL ||
          !check_keys (obj, path, keys, error) ||
          !get_string (obj, path, "response_id", STR_REQUIRED | STR_ID, 0, &response_id,
                       error) ||
          !get_string (obj, path, "prompt_id", STR_REQUIRED | STR_ID, 0, &prompt_id, error) ||
          !get_string (obj, path, "model_id", STR_ID, 0, &model_id, error))
        return FALSE;

      /* A sealed pack has no "models" and no model_id anywhere; an open one has both. */
      if (self->sealed && model_id != NULL)
        {
          g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                       _("%s.model_id: not allowed in a sealed pack (the pack has no "
                         "\"models\"); sealed and open packs cannot be mixed"), path);
          return FALSE;
        }
      if (!self->sealed && model_id == NULL)
        {
          g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                       _("%s: missing \"model_id\" (required because the pack lists "
                         "\"models\"; sealed and open packs cannot be mixed)"), path);
          return FALSE;
        }

      if ((other = g_hash_table_lookup (self->response_index, response_id)) != NULL)
        {
          guint j;

          g_ptr_array_find (self->responses, other, &j);
          g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                       _("%s.response_id: duplicate response ID \"%s\" (also responses[%u])"),
                       path, response_id, j);
          return FALSE;
        }
      if ((prompt = g_hash_table_lookup (self->prompt_index, prompt_id)) == NULL)
        {
          g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                       _("%s.prompt_id: no prompt has the ID \"%s\""), path, prompt_id);
          return FALSE;
        }
      if (model_id != NULL)
        {
          g_autofree char *pair = NULL;
          gpointer previous;

          if (!g_hash_table_contains (self->model_index, model_id))
            {
              g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                           _("%s.model_id: no model has the ID \"%s\""), path, model_id);
              return FALSE;
            }
          pair = g_strconcat (prompt_id, "\n", model_id, NULL);
          if (g_hash_table_lookup_extended (answered, pair, NULL, &previous))
            {
              g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                           _("%s: model \"%s\" already answered prompt \"%s\" "
                             "(responses[%u])"),
                           path, model_id, prompt_id, GPOINTER_TO_UINT (previous));
              return FALSE;
            }
          g_hash_table_insert (answered, g_steal_pointer (&pair), GUINT_TO_POINTER (i));
        }

      /* Response turns may be empty: a model that said nothing is a real answer. */
      if (!get_array (obj, path, "turns", TRUE, 1, KA_PACK_MAX_TURNS, &turns, error) ||
          (texts = get_string_vector (turns, turns_path, FALSE, KA_PACK_MAX_TEXT_BYTES,
                                      error)) == NULL)
        return FALSE;
      if (g_strv_length (texts) != prompt->n_turns)
        {
          guint n_texts = g_strv_length (texts);

          g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                       g_dngettext (GETTEXT_PACKAGE, "%s: %u turn, but prompt \"%s\" has %u",
                                    "%s: %u turns, but prompt \"%s\" has %u", n_texts),
                       turns_path, n_texts, prompt_id, prompt->n_turns);
          return FALSE;
        }

      response = g_new0 (KaPackResponse, 1);
      response->response_id = g_strdup (response_id);
      response->prompt_id = g_strdup (prompt_id);
      response->model_id = g_strdup (model_id);
      response->n_turns = g_strv_length (texts);
      response->turns = g_steal_pointer (&texts);
      g_ptr_array_add (self->responses, response);
      g_hash_table_insert (self->response_index, response->response_id, response);
      g_ptr_array_add (g_hash_table_lookup (self->prompt_responses, prompt->prompt_id),
                       response);
    }

  /* Every prompt needs a battle: two responses, from two different models when known. */
  for (guint i = 0; i < self->prompts->len; i++)
    {
      const KaPackPrompt *prompt = g_ptr_array_index (self->prompts, i);
      GPtrArray *answers = g_hash_table_lookup (self->prompt_responses, prompt->prompt_id);

      if (answers->len < 2)
        {
          g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "prompts[%u]: prompt \"%s\" has %u response; "
                                    "at least two are needed",
                                    "prompts[%u]: prompt \"%s\" has %u responses; "
                                    "at least two are needed", answers->len),
                       i, prompt->prompt_id, answers->len);
          return FALSE;
        }
      if (!self->sealed)
        {
          const KaPackResponse *first = g_ptr_array_index (answers, 0);
          gboolean two_models = FALSE;

          for (guint j = 1; j < answers->len && !two_models; j++)
            {
              const KaPackResponse *r = g_ptr_array_index (answers, j);

              two_models = !g_str_equal (r->model_id, first->model_id);
            }
          if (!two_models)
            {
              g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                           _("prompts[%u]: every response to prompt \"%s\" comes from model "
                             "\"%s\"; at least two models are needed"),
                           i, prompt->prompt_id, first->model_id);
              return FALSE;
            }
        }
    }

  return TRUE;
}

static gboolean
parse_root (KaPack      *self,
            JsonNode    *root_node,
            GError     **error)
{
  static const char * const keys[] = {
    "format", "pack_id", "title", "language", "created_at", "models", "prompts",
    "responses", "identity_terms", "licence", NULL
  };
  JsonObject *root;
  JsonNode *format;
  JsonArray *models, *prompts, *responses, *terms;
  const char *value;

  if (!JSON_NODE_HOLDS_OBJECT (root_node))
    {
      g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_FORMAT,
                   _("the document is not a battle pack: expected an object, got %s"),
                   node_type_name (root_node));
      return FALSE;
    }
  root = json_node_get_object (root_node);

  /* The format comes first: a newer format may well have keys this one does not know. */
  format = json_object_get_member (root, "format");
  if (format == NULL)
    {
      g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_FORMAT,
                   _("missing \"format\" (expected \"%s\")"), KA_PACK_FORMAT);
      return FALSE;
    }
  if (!is_string_node (format))
    {
      g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_FORMAT,
                   _("format: expected a string, got %s"), node_type_name (format));
      return FALSE;
    }
  if (!g_str_equal (json_node_get_string (format), KA_PACK_FORMAT))
    {
      g_autofree char *shown = g_strndup (json_node_get_string (format), 64);

      g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_FORMAT,
                   _("format: unknown format \"%s\" (this version reads \"%s\")"),
                   shown, KA_PACK_FORMAT);
      return FALSE;
    }

  if (!check_keys (root, "", keys, error))
    return FALSE;

  if (!get_string (root, "", "pack_id", STR_REQUIRED | STR_ID, 0, &value, error))
    return FALSE;
  self->pack_id = g_strdup (value);

  if (!parse_title (self, root, error))
    return FALSE;

  if (!get_string (root, "", "language", STR_REQUIRED | STR_NON_EMPTY, MAX_NAME_BYTES,
                   &value, error))
    return FALSE;
  if (!is_language_tag (value))
    {
      g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                   _("language: \"%s\" is not a language tag such as \"ko\" or \"en\""), value);
      return FALSE;
    }
  self->language = g_strdup (value);

  if (!get_string (root, "", "created_at", STR_REQUIRED | STR_NON_EMPTY, 64, &value, error))
    return FALSE;
  if (!is_rfc3339 (value))
    {
      g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_INVALID,
                   _("created_at: \"%s\" is not an RFC 3339 date-time such as "
                     "\"2026-11-29T00:00:00Z\""), value);
      return FALSE;
    }
  self->created_at = g_strdup (value);

  if (!get_string (root, "", "licence", STR_NON_EMPTY, MAX_LICENCE_BYTES, &value, error))
    return FALSE;
  self->licence = g_strdup (value);

  if (!get_array (root, "", "identity_terms", FALSE, 0, MAX_IDENTITY_TERMS, &terms, error))
    return FALSE;
  if (terms != NULL)
    {
      self->identity_terms = get_string_vector (terms, "identity_terms", TRUE,
                                                MAX_NAME_BYTES, error);
      if (self->identity_terms == NULL)
        return FALSE;
    }
  else
    self->identity_terms = g_new0 (char *, 1);

  if (!get_array (root, "", "models", FALSE, 2, KA_PACK_MAX_MODELS, &models, error))
    return FALSE;
  self->sealed = models == NULL;
  if (models != NULL && !parse_models (self, models, error))
    return FALSE;

  if (!get_array (root, "", "prompts", TRUE, 1, KA_PACK_MAX_PROMPTS, &prompts, error) ||
      !parse_prompts (self, prompts, error))
    return FALSE;

  if (!get_array (root, "", "responses", TRUE, 2, KA_PACK_MAX_RESPONSES, &responses, error) ||
      !parse_responses (self, responses, error))
    return FALSE;

  return TRUE;
}

/* ------------------------------------------------------------------------------------------ */

/**
 * ka_pack_new_from_bytes:
 * @bytes: the pack document, UTF-8 JSON (`kai-arena-pack/1`, docs/pack-format.md)
 * @error: return location for a #KA_PACK_ERROR
 *
 * Loads and validates a battle pack. The checks, in order: size (at most
 * %KA_PACK_MAX_BYTES), no UTF-8 byte-order mark, valid UTF-8 over the whole document, strict
 * RFC 8259 JSON with no duplicate keys and at most %KA_PACK_MAX_DEPTH levels of nesting
 * (checked without recursion), then every field: types, required and optional members,
 * unknown keys, non-empty IDs of at most %KA_PACK_MAX_ID_BYTES, unique model, prompt and
 * response IDs, references from responses to prompts and models, turn counts, text sizes, at
 * least two responses per prompt (from two different models in an open pack), the title,
 * `created_at` (RFC 3339) and `identity_terms`.
 *
 * The first problem found is reported as one #GError whose message names the field path and
 * index, e.g. `responses[12].turns[1]: expected a string, got number`. On failure nothing is
 * kept and nothing else changes.
 *
 * The content hash is the hex SHA-256 of the exact bytes.
 *
 * Returns: (transfer full) (nullable): the pack, or %NULL with @error set
 */
KaPack *
ka_pack_new_from_bytes (GBytes  *bytes,
                        GError **error)
{
  g_autoptr(KaPack) self = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *data;
  const char *end;
  const char *nul;
  gsize len;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (bytes, &len);

  if (len > KA_PACK_MAX_BYTES)
    {
      g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_TOO_LARGE,
                   _("the pack is %" PRIu64 " bytes, more than the limit of %d"),
                   (guint64) len, KA_PACK_MAX_BYTES);
      return NULL;
    }
  /* Nothing to read: said plainly, and without pointer arithmetic on the NULL data an
   * empty GBytes may hold. */
  if (len == 0)
    {
      g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_SYNTAX, _("the pack file is empty"));
      return NULL;
    }
  if (len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    {
      g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_SYNTAX,
                   _("the pack starts with a UTF-8 byte-order mark (BOM); JSON must not "
                     "have one: save the file as UTF-8 without BOM"));
      return NULL;
    }
  /* A raw NUL is valid UTF-8 but never valid JSON text (it must be escaped as \u0000);
   * g_utf8_validate() would stop at it and call it invalid UTF-8. */
  nul = memchr (data, '\0', len);
  if (nul != NULL)
    {
      g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_SYNTAX,
                   _("a NUL byte at byte offset %" PRIu64 "; JSON text cannot contain one "
                     "(write \\u0000 inside a string)"),
                   (guint64) (nul - data));
      return NULL;
    }
  if (!g_utf8_validate (data, (gssize) len, &end))
    {
      g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_SYNTAX,
                   _("invalid UTF-8 at byte offset %" PRIu64),
                   (guint64) (end - data));
      return NULL;
    }
  if (!check_json_text (data, len, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local_error))
    {
      /* Unreachable after check_json_text() unless json-glib disagrees with RFC 8259. */
      g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_SYNTAX,
                   _("not valid JSON: %s"), local_error->message);
      return NULL;
    }

  self = g_object_new (KA_TYPE_PACK, NULL);
  if (!parse_root (self, json_parser_get_root (parser), error))
    return NULL;

  self->bytes = g_bytes_ref (bytes);
  self->content_hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                    (const guchar *) data, len);

  return g_steal_pointer (&self);
}

/**
 * ka_pack_new_from_file:
 * @path: (type filename): the pack file
 * @error: return location for a #GError: a #G_IO_ERROR when the file cannot be read,
 *   otherwise a #KA_PACK_ERROR as from ka_pack_new_from_bytes()
 *
 * Reads @path and loads it with ka_pack_new_from_bytes(). A file larger than
 * %KA_PACK_MAX_BYTES is refused before it is read.
 *
 * Returns: (transfer full) (nullable): the pack, or %NULL with @error set
 */
KaPack *
ka_pack_new_from_file (const char  *path,
                       GError     **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GBytes) bytes = NULL;
  KaPack *pack;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  file = g_file_new_for_path (path);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                            NULL, error);
  if (info == NULL)
    return NULL;
  if (g_file_info_get_size (info) > KA_PACK_MAX_BYTES)
    {
      g_set_error (error, KA_PACK_ERROR, KA_PACK_ERROR_TOO_LARGE,
                   _("%s: the pack is %" PRId64 " bytes, more than the limit of %d"),
                   path, (gint64) g_file_info_get_size (info), KA_PACK_MAX_BYTES);
      return NULL;
    }

  bytes = g_file_load_bytes (file, NULL, NULL, error);
  if (bytes == NULL)
    return NULL;

  pack = ka_pack_new_from_bytes (bytes, error);
  if (pack == NULL)
    g_prefix_error (error, "%s: ", path);
  return pack;
}

/**
 * ka_pack_get_bytes:
 * @self: a #KaPack
 *
 * Returns: (transfer none): the exact bytes the pack was loaded from
 */
GBytes *
ka_pack_get_bytes (KaPack *self)
{
  g_return_val_if_fail (KA_IS_PACK (self), NULL);

  return self->bytes;
}

/**
 * ka_pack_get_content_hash:
 * @self: a #KaPack
 *
 * Returns: (transfer none): the hex SHA-256 (64 lowercase digits) of the pack's bytes
 */
const char *
ka_pack_get_content_hash (KaPack *self)
{
  g_return_val_if_fail (KA_IS_PACK (self), NULL);

  return self->content_hash;
}

/**
 * ka_pack_get_id:
 * @self: a #KaPack
 *
 * Returns: (transfer none): the `pack_id`
 */
const char *
ka_pack_get_id (KaPack *self)
{
  g_return_val_if_fail (KA_IS_PACK (self), NULL);

  return self->pack_id;
}

/**
 * ka_pack_get_title:
 * @self: a #KaPack
 * @language: (nullable): a language tag such as "ko", "en" or "ko-KR"
 *
 * Looks up the title for @language: the exact tag, then its primary language ("ko" for
 * "ko-KR"), then English, then Korean (every pack has both).
 *
 * Returns: (transfer none): the title
 */
const char *
ka_pack_get_title (KaPack     *self,
                   const char *language)
{
  const char *title = NULL;

  g_return_val_if_fail (KA_IS_PACK (self), NULL);

  if (language != NULL)
    {
      title = g_hash_table_lookup (self->titles, language);
      if (title == NULL)
        {
          g_autofree char *primary = g_strdup (language);
          char *sep = strpbrk (primary, "-_.@");

          if (sep != NULL)
            *sep = '\0';
          title = g_hash_table_lookup (self->titles, primary);
        }
    }
  if (title == NULL)
    title = g_hash_table_lookup (self->titles, "en");
  if (title == NULL)
    title = g_hash_table_lookup (self->titles, "ko");
  return title;
}

/**
 * ka_pack_get_language:
 * @self: a #KaPack
 *
 * Returns: (transfer none): the language tag of the prompts and responses, e.g. "ko"
 */
const char *
ka_pack_get_language (KaPack *self)
{
  g_return_val_if_fail (KA_IS_PACK (self), NULL);

  return self->language;
}

/**
 * ka_pack_get_created_at:
 * @self: a #KaPack
 *
 * Returns: (transfer none): `created_at`, an RFC 3339 date-time as written in the pack
 */
const char *
ka_pack_get_created_at (KaPack *self)
{
  g_return_val_if_fail (KA_IS_PACK (self), NULL);

  return self->created_at;
}

/**
 * ka_pack_get_licence:
 * @self: a #KaPack
 *
 * Returns: (transfer none) (nullable): the `licence` text, or %NULL when absent
 */
const char *
ka_pack_get_licence (KaPack *self)
{
  g_return_val_if_fail (KA_IS_PACK (self), NULL);

  return self->licence;
}

/**
 * ka_pack_is_sealed:
 * @self: a #KaPack
 *
 * A sealed pack has no `models` and no `model_id` on its responses: the device cannot know
 * who answered (DESIGN.md §3).
 *
 * Returns: %TRUE for a sealed pack
 */
gboolean
ka_pack_is_sealed (KaPack *self)
{
  g_return_val_if_fail (KA_IS_PACK (self), FALSE);

  return self->sealed;
}

/**
 * ka_pack_get_identity_terms:
 * @self: a #KaPack
 *
 * Returns: (transfer none) (array zero-terminated=1): the pack's `identity_terms`, possibly
 *   empty, never %NULL
 */
const char * const *
ka_pack_get_identity_terms (KaPack *self)
{
  g_return_val_if_fail (KA_IS_PACK (self), NULL);

  return (const char * const *) self->identity_terms;
}

/**
 * ka_pack_get_n_models:
 * @self: a #KaPack
 *
 * Returns: the number of models; 0 for a sealed pack
 */
guint
ka_pack_get_n_models (KaPack *self)
{
  g_return_val_if_fail (KA_IS_PACK (self), 0);

  return self->models->len;
}

/**
 * ka_pack_get_model:
 * @self: a #KaPack
 * @index: 0 ≤ @index < ka_pack_get_n_models()
 *
 * Returns: (transfer none): the model, valid as long as @self lives
 */
const KaPackModel *
ka_pack_get_model (KaPack *self,
                   guint   index)
{
  g_return_val_if_fail (KA_IS_PACK (self), NULL);
  g_return_val_if_fail (index < self->models->len, NULL);

  return g_ptr_array_index (self->models, index);
}

/**
 * ka_pack_lookup_model:
 * @self: a #KaPack
 * @model_id: a model ID
 *
 * O(1) lookup.
 *
 * Returns: (transfer none) (nullable): the model, or %NULL when unknown (always in a
 *   sealed pack)
 */
const KaPackModel *
ka_pack_lookup_model (KaPack     *self,
                      const char *model_id)
{
  g_return_val_if_fail (KA_IS_PACK (self), NULL);
  g_return_val_if_fail (model_id != NULL, NULL);

  return g_hash_table_lookup (self->model_index, model_id);
}

/**
 * ka_pack_get_n_prompts:
 * @self: a #KaPack
 *
 * Returns: the number of prompts (at least 1)
 */
guint
ka_pack_get_n_prompts (KaPack *self)
{
  g_return_val_if_fail (KA_IS_PACK (self), 0);

  return self->prompts->len;
}

/**
 * ka_pack_get_prompt:
 * @self: a #KaPack
 * @index: 0 ≤ @index < ka_pack_get_n_prompts()
 *
 * Returns: (transfer none): the prompt, in pack order, valid as long as @self lives
 */
const KaPackPrompt *
ka_pack_get_prompt (KaPack *self,
                    guint   index)
{
  g_return_val_if_fail (KA_IS_PACK (self), NULL);
  g_return_val_if_fail (index < self->prompts->len, NULL);

  return g_ptr_array_index (self->prompts, index);
}

/**
 * ka_pack_lookup_prompt:
 * @self: a #KaPack
 * @prompt_id: a prompt ID
 *
 * O(1) lookup.
 *
 * Returns: (transfer none) (nullable): the prompt, or %NULL when unknown
 */
const KaPackPrompt *
ka_pack_lookup_prompt (KaPack     *self,
                       const char *prompt_id)
{
  g_return_val_if_fail (KA_IS_PACK (self), NULL);
  g_return_val_if_fail (prompt_id != NULL, NULL);

  return g_hash_table_lookup (self->prompt_index, prompt_id);
}

/**
 * ka_pack_get_n_responses:
 * @self: a #KaPack
 *
 * Returns: the number of responses (at least 2 per prompt)
 */
guint
ka_pack_get_n_responses (KaPack *self)
{
  g_return_val_if_fail (KA_IS_PACK (self), 0);

  return self->responses->len;
}

/**
 * ka_pack_get_response:
 * @self: a #KaPack
 * @index: 0 ≤ @index < ka_pack_get_n_responses()
 *
 * Returns: (transfer none): the response, in pack order, valid as long as @self lives
 */
const KaPackResponse *
ka_pack_get_response (KaPack *self,
                      guint   index)
{
  g_return_val_if_fail (KA_IS_PACK (self), NULL);
  g_return_val_if_fail (index < self->responses->len, NULL);

  return g_ptr_array_index (self->responses, index);
}

/**
 * ka_pack_lookup_response:
 * @self: a #KaPack
 * @response_id: a response ID
 *
 * O(1) lookup, by the pack's own response ID or by a sealed ID set with
 * ka_pack_set_response_aliases().
 *
 * Returns: (transfer none) (nullable): the response, or %NULL when unknown
 */
const KaPackResponse *
ka_pack_lookup_response (KaPack     *self,
                         const char *response_id)
{
  const KaPackResponse *response;
  const char *own_id;

  g_return_val_if_fail (KA_IS_PACK (self), NULL);
  g_return_val_if_fail (response_id != NULL, NULL);

  response = g_hash_table_lookup (self->response_index, response_id);
  if (response != NULL || self->response_aliases == NULL)
    return response;

  own_id = g_hash_table_lookup (self->response_aliases, response_id);
  return own_id != NULL ? g_hash_table_lookup (self->response_index, own_id) : NULL;
}

/**
 * ka_pack_set_response_aliases:
 * @self: an open #KaPack
 * @aliases: (nullable) (element-type utf8 utf8): sealed response ID → this pack's response
 *   ID, as ka_pack_seal() makes it; the pack keeps a reference and never changes it
 *
 * Lets ka_pack_lookup_response() find a response by the ID it has in the collector's
 * sealed copy of this pack, so that the collector and the organisers' tools name the models
 * of ballots cast on either copy. Set it before the pack is shared with other threads.
 */
void
ka_pack_set_response_aliases (KaPack     *self,
                              GHashTable *aliases)
{
  g_return_if_fail (KA_IS_PACK (self));
  g_return_if_fail (aliases == NULL || !self->sealed);

  g_clear_pointer (&self->response_aliases, g_hash_table_unref);
  self->response_aliases = aliases != NULL ? g_hash_table_ref (aliases) : NULL;
}

/**
 * ka_pack_get_response_aliases:
 * @self: a #KaPack
 *
 * Returns: (transfer none) (nullable) (element-type utf8 utf8): the aliases of
 *   ka_pack_set_response_aliases(), or %NULL
 */
GHashTable *
ka_pack_get_response_aliases (KaPack *self)
{
  g_return_val_if_fail (KA_IS_PACK (self), NULL);

  return self->response_aliases;
}

/**
 * ka_pack_get_prompt_responses:
 * @self: a #KaPack
 * @prompt_id: a prompt ID
 *
 * The responses to one prompt, in pack order (O(k) for k responses: a copy of an index
 * built at load time).
 *
 * Returns: (transfer container) (element-type KaPackResponse) (nullable): a new array of
 *   borrowed #KaPackResponse pointers (free it with g_ptr_array_unref()), or %NULL when
 *   @prompt_id is unknown
 */
GPtrArray *
ka_pack_get_prompt_responses (KaPack     *self,
                              const char *prompt_id)
{
  GPtrArray *answers;

  g_return_val_if_fail (KA_IS_PACK (self), NULL);
  g_return_val_if_fail (prompt_id != NULL, NULL);

  answers = g_hash_table_lookup (self->prompt_responses, prompt_id);
  if (answers == NULL)
    return NULL;
  return g_ptr_array_copy (answers, NULL, NULL);
}

static void
add_string_array (JsonBuilder        *builder,
                  const char         *member,
                  const char * const *strv)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; strv[i] != NULL; i++)
    json_builder_add_string_value (builder, strv[i]);
  json_builder_end_array (builder);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/**
 * ka_pack_to_json:
 * @self: a #KaPack
 * @sealed: %TRUE to leave out `models` and every `model_id`
 *
 * Serialises the pack again, members in the order of docs/pack-format.md and records in
 * pack order, so the same pack always gives the same tree. With @sealed (or for a pack that
 * is already sealed) the result is a sealed pack: it loads with ka_pack_new_from_bytes() and
 * tells nobody who answered. Note that the content hash of the re-serialised text differs
 * from ka_pack_get_content_hash() unless the input was written by the same generator.
 *
 * Returns: (transfer full): a new #JsonNode holding the pack object
 */
JsonNode *
ka_pack_to_json (KaPack   *self,
                 gboolean  sealed)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree const char **langs = NULL;
  guint n_langs;

  g_return_val_if_fail (KA_IS_PACK (self), NULL);

  sealed = sealed || self->sealed;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, KA_PACK_FORMAT);
  json_builder_set_member_name (builder, "pack_id");
  json_builder_add_string_value (builder, self->pack_id);

  /* Titles: ko, en, then any other language in code-point order. */
  json_builder_set_member_name (builder, "title");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ko");
  json_builder_add_string_value (builder, g_hash_table_lookup (self->titles, "ko"));
  json_builder_set_member_name (builder, "en");
  json_builder_add_string_value (builder, g_hash_table_lookup (self->titles, "en"));
  langs = (const char **) g_hash_table_get_keys_as_array (self->titles, &n_langs);
  qsort (langs, n_langs, sizeof (char *), compare_strings);
  for (guint i = 0; i < n_langs; i++)
    {
      if (g_str_equal (langs[i], "ko") || g_str_equal (langs[i], "en"))
        continue;
      json_builder_set_member_name (builder, langs[i]);
      json_builder_add_string_value (builder, g_hash_table_lookup (self->titles, langs[i]));
    }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "language");
  json_builder_add_string_value (builder, self->language);
  json_builder_set_member_name (builder, "created_at");
  json_builder_add_string_value (builder, self->created_at);

  if (!sealed)
    {
      json_builder_set_member_name (builder, "models");
      json_builder_begin_array (builder);
      for (guint i = 0; i < self->models->len; i++)
        {
          const KaPackModel *model = g_ptr_array_index (self->models, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "model_id");
          json_builder_add_string_value (builder, model->model_id);
          json_builder_set_member_name (builder, "display_name");
          json_builder_add_string_value (builder, model->display_name);
          if (model->organisation != NULL)
            {
              json_builder_set_member_name (builder, "organisation");
              json_builder_add_string_value (builder, model->organisation);
            }
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }

  json_builder_set_member_name (builder, "prompts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->prompts->len; i++)
    {
      const KaPackPrompt *prompt = g_ptr_array_index (self->prompts, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "prompt_id");
      json_builder_add_string_value (builder, prompt->prompt_id);
      if (prompt->category != NULL)
        {
          json_builder_set_member_name (builder, "category");
          json_builder_add_string_value (builder, prompt->category);
        }
      add_string_array (builder, "turns", (const char * const *) prompt->turns);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "responses");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->responses->len; i++)
    {
      const KaPackResponse *response = g_ptr_array_index (self->responses, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "response_id");
      json_builder_add_string_value (builder, response->response_id);
      json_builder_set_member_name (builder, "prompt_id");
      json_builder_add_string_value (builder, response->prompt_id);
      if (!sealed)
        {
          json_builder_set_member_name (builder, "model_id");
          json_builder_add_string_value (builder, response->model_id);
        }
      add_string_array (builder, "turns", (const char * const *) response->turns);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  add_string_array (builder, "identity_terms", (const char * const *) self->identity_terms);

  if (self->licence != NULL)
    {
      json_builder_set_member_name (builder, "licence");
      json_builder_add_string_value (builder, self->licence);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
