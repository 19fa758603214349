/* ka-json-scanner.c: a strict scanner for flat JSON objects, one per line
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The audit reads back hundreds of thousands of one-line objects whose values are
 * strings, numbers, booleans or null. Parsing each into a JsonNode tree costs most of the
 * audit, so this scanner reads such an object into a reusable array of members. It is
 * strict: anything it is not sure to read exactly as json-glib's parser does (nested
 * values, a raw control character or invalid UTF-8 in a string, a lone surrogate, a NUL,
 * a repeated member, an integer beyond 18 digits, trailing text) makes it return %FALSE,
 * and the caller then falls back to json-glib. tests/test-export.c checks it against
 * json-glib on hostile strings.
 */

#define G_LOG_DOMAIN "ka-json-scanner"

#include "config.h"

#include <string.h>

#include "ka-json-scanner.h"

/**
 * ka_json_flat_object_init:
 * @obj: an object to initialise
 */
void
ka_json_flat_object_init (KaJsonFlatObject *obj)
{
  memset (obj, 0, sizeof *obj);
  obj->buf = g_string_sized_new (1024);
}

/**
 * ka_json_flat_object_clear:
 * @obj: an object initialised with ka_json_flat_object_init()
 */
void
ka_json_flat_object_clear (KaJsonFlatObject *obj)
{
  if (obj->buf != NULL)
    g_string_free (obj->buf, TRUE);
  obj->buf = NULL;
  obj->n_members = 0;
}

static const char *
skip_space (const char *p,
            const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
    p++;
  return p;
}

static int
hex4 (const char *p)
{
  int v = 0;

  for (int i = 0; i < 4; i++)
    {
      int d = g_ascii_xdigit_value (p[i]);

      if (d < 0)
        return -1;
      v = v * 16 + d;
    }
  return v;
}

/* Decodes a string starting at the opening quote into @buf (NUL-terminated); returns the
 * position after the closing quote, or NULL. The whole text was checked to be UTF-8, and
 * a quote or backslash never falls inside a multi-byte character, so every run copied is
 * UTF-8 too. */
static const char *
scan_string (const char *p,
             const char *end,
             GString    *buf)
{
  const char *run;

  p++;
  run = p;
  while (p < end)
    {
      guchar c = (guchar) *p;

      if (c == '"')
        {
          g_string_append_len (buf, run, p - run);
          g_string_append_c (buf, '\0');
          return p + 1;
        }
      if (c < 0x20)
        return NULL;
      if (c != '\\')
        {
          p++;
          continue;
        }
      g_string_append_len (buf, run, p - run);
      if (p + 1 >= end)
        return NULL;
      switch (p[1])
        {
        case '"': g_string_append_c (buf, '"'); p += 2; break;
        case '\\': g_string_append_c (buf, '\\'); p += 2; break;
        case '/': g_string_append_c (buf, '/'); p += 2; break;
        case 'b': g_string_append_c (buf, '\b'); p += 2; break;
        case 'f': g_string_append_c (buf, '\f'); p += 2; break;
        case 'n': g_string_append_c (buf, '\n'); p += 2; break;
        case 'r': g_string_append_c (buf, '\r'); p += 2; break;
        case 't': g_string_append_c (buf, '\t'); p += 2; break;
        case 'u':
          {
            int u, lo;

            if (end - p < 6 || (u = hex4 (p + 2)) < 0)
              return NULL;
            p += 6;
            if (u == 0)
              return NULL;
            if (u >= 0xdc00 && u <= 0xdfff)
              return NULL;   /* a lone low surrogate */
            if (u >= 0xd800 && u <= 0xdbff)
              {
                if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || (lo = hex4 (p + 2)) < 0 ||
                    lo < 0xdc00 || lo > 0xdfff)
                  return NULL;
                p += 6;
                u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
              }
            g_string_append_unichar (buf, (gunichar) u);
          }
          break;
        default:
          return NULL;
        }
      run = p;
    }
  return NULL;
}

static const char *
scan_number (const char   *p,
             const char   *end,
             KaJsonMember *m)
{
  const char *start = p;
  gboolean integer = TRUE;
  char tmp[64];
  gsize n;

  if (p < end && *p == '-')
    p++;
  if (p >= end || !g_ascii_isdigit (*p))
    return NULL;
  if (*p == '0')
    p++;
  else
    while (p < end && g_ascii_isdigit (*p))
      p++;
  if (p < end && *p == '.')
    {
      integer = FALSE;
      p++;
      if (p >= end || !g_ascii_isdigit (*p))
        return NULL;
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }
  if (p < end && (*p == 'e' || *p == 'E'))
    {
      integer = FALSE;
      p++;
      if (p < end && (*p == '+' || *p == '-'))
        p++;
      if (p >= end || !g_ascii_isdigit (*p))
        return NULL;
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }
  n = p - start;
  if (n >= sizeof tmp || (integer && n > 18))
    return NULL;
  memcpy (tmp, start, n);
  tmp[n] = '\0';
  if (integer)
    {
      m->type = KA_JSON_INT;
      m->int_value = g_ascii_strtoll (tmp, NULL, 10);
      m->double_value = (double) m->int_value;
    }
  else
    {
      m->type = KA_JSON_DOUBLE;
      m->double_value = g_ascii_strtod (tmp, NULL);
    }
  return p;
}

/**
 * ka_json_scan_flat_object:
 * @obj: a reusable object (ka_json_flat_object_init())
 * @text: the text of one JSON object (not NUL-terminated)
 * @len: its length in bytes
 *
 * Reads `{"name": value, …}` where every value is a string, a number, `true`, `false` or
 * `null`, with JSON white space anywhere between tokens and nothing after the object.
 *
 * Returns: %TRUE if @text is such an object and was read exactly; %FALSE otherwise (then
 *   read it with json-glib, which may still accept it)
 */
gboolean
ka_json_scan_flat_object (KaJsonFlatObject *obj,
                          const char       *text,
                          gsize             len)
{
  const char *p = text;
  const char *end = text + len;
  gsize name_at[KA_JSON_FLAT_MAX_MEMBERS];
  gsize string_at[KA_JSON_FLAT_MAX_MEMBERS];
  guint name_hash[KA_JSON_FLAT_MAX_MEMBERS];

  g_string_truncate (obj->buf, 0);
  obj->n_members = 0;

  if (!g_utf8_validate (text, len, NULL))
    return FALSE;
  p = skip_space (p, end);
  if (p >= end || *p != '{')
    return FALSE;
  p = skip_space (p + 1, end);
  if (p < end && *p == '}')
    return skip_space (p + 1, end) == end;

  for (;;)
    {
      KaJsonMember *m;

      if (obj->n_members == KA_JSON_FLAT_MAX_MEMBERS || p >= end || *p != '"')
        return FALSE;
      m = &obj->members[obj->n_members];
      memset (m, 0, sizeof *m);
      name_at[obj->n_members] = obj->buf->len;
      string_at[obj->n_members] = G_MAXSIZE;
      p = scan_string (p, end, obj->buf);
      if (p == NULL)
        return FALSE;
      p = skip_space (p, end);
      if (p >= end || *p != ':')
        return FALSE;
      p = skip_space (p + 1, end);
      if (p >= end)
        return FALSE;
      if (*p == '"')
        {
          m->type = KA_JSON_STRING;
          string_at[obj->n_members] = obj->buf->len;
          p = scan_string (p, end, obj->buf);
        }
      else if (*p == '-' || g_ascii_isdigit (*p))
        p = scan_number (p, end, m);
      else if (end - p >= 4 && memcmp (p, "true", 4) == 0)
        {
          m->type = KA_JSON_TRUE;
          p += 4;
        }
      else if (end - p >= 5 && memcmp (p, "false", 5) == 0)
        {
          m->type = KA_JSON_FALSE;
          p += 5;
        }
      else if (end - p >= 4 && memcmp (p, "null", 4) == 0)
        {
          m->type = KA_JSON_NULL;
          p += 4;
        }
      else
        return FALSE;
      if (p == NULL)
        return FALSE;
      obj->n_members++;
      p = skip_space (p, end);
      if (p < end && *p == ',')
        {
          p = skip_space (p + 1, end);
          continue;
        }
      if (p < end && *p == '}')
        {
          p = skip_space (p + 1, end);
          break;
        }
      return FALSE;
    }
  if (p != end)
    return FALSE;

  /* The buffer is final now: point into it, and refuse repeated names (json-glib keeps
   * the last one; nothing we write repeats a member). */
  for (guint i = 0; i < obj->n_members; i++)
    {
      KaJsonMember *m = &obj->members[i];

      m->name = obj->buf->str + name_at[i];
      if (string_at[i] != G_MAXSIZE)
        m->string = obj->buf->str + string_at[i];
      /* A cheap key (length, first and last byte); names that share it are compared. */
      {
        gsize n = strlen (m->name);

        name_hash[i] = (guint) (n << 16) ^ ((guint) (guchar) m->name[0] << 8) ^
                       (n > 0 ? (guchar) m->name[n - 1] : 0);
      }
      for (guint j = 0; j < i; j++)
        if (name_hash[j] == name_hash[i] && strcmp (obj->members[j].name, m->name) == 0)
          return FALSE;
    }
  return TRUE;
}

/**
 * ka_json_flat_object_get:
 * @obj: a scanned object
 * @name: a member name
 *
 * Returns: (nullable): the member, or %NULL
 */
const KaJsonMember *
ka_json_flat_object_get (const KaJsonFlatObject *obj,
                         const char             *name)
{
  return ka_json_flat_object_get_at (obj, name, 0);
}

/**
 * ka_json_flat_object_get_at:
 * @obj: a scanned object
 * @name: a member name
 * @hint: where the member usually is (its index when written by our writers)
 *
 * As ka_json_flat_object_get(), looking at @hint first.
 *
 * Returns: (nullable): the member, or %NULL
 */
const KaJsonMember *
ka_json_flat_object_get_at (const KaJsonFlatObject *obj,
                            const char             *name,
                            guint                   hint)
{
  if (hint < obj->n_members && strcmp (obj->members[hint].name, name) == 0)
    return &obj->members[hint];
  for (guint i = 0; i < obj->n_members; i++)
    if (strcmp (obj->members[i].name, name) == 0)
      return &obj->members[i];
  return NULL;
}

/**
 * ka_json_flat_object_get_string:
 * @obj: a scanned object
 * @name: a member name
 * @hint: where the member usually is
 *
 * Returns: (nullable): the string value of member @name, or %NULL if it is absent or not a
 *   string
 */
const char *
ka_json_flat_object_get_string (const KaJsonFlatObject *obj,
                                const char             *name,
                                guint                   hint)
{
  const KaJsonMember *m = ka_json_flat_object_get_at (obj, name, hint);

  return m != NULL && m->type == KA_JSON_STRING ? m->string : NULL;
}
