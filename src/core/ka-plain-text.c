/* ka-plain-text.c: Markdown to the plain text citizens read (DESIGN.md §7)
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-plain-text"

#include "config.h"

#include <md4c.h>
#include <string.h>

#include "ka-plain-text.h"
#include "ka-tex.h"

/* The named entities src/gui/ka-markdown.c draws as characters, plus the invisible ones a
 * name could hide behind. Any other named entity stays as its text, as on screen. */
static const struct
{
  const char *name;
  const char *utf8;
} named_entities[] = {
  { "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" }, { "apos", "'" },
  { "nbsp", "\xc2\xa0" }, { "copy", "©" }, { "reg", "®" }, { "trade", "™" },
  { "hellip", "…" }, { "mdash", "—" }, { "ndash", "–" }, { "lsquo", "‘" }, { "rsquo", "’" },
  { "ldquo", "“" }, { "rdquo", "”" }, { "middot", "·" }, { "bull", "•" }, { "times", "×" },
  { "divide", "÷" }, { "deg", "°" }, { "plusmn", "±" }, { "rarr", "→" }, { "larr", "←" },
  { "uarr", "↑" }, { "darr", "↓" }, { "harr", "↔" }, { "rArr", "⇒" }, { "lArr", "⇐" },
  { "hArr", "⇔" }, { "le", "≤" }, { "ge", "≥" }, { "ne", "≠" }, { "asymp", "≈" },
  { "infin", "∞" }, { "minus", "−" }, { "sum", "∑" }, { "prod", "∏" }, { "radic", "√" },
  { "part", "∂" }, { "alpha", "α" }, { "beta", "β" }, { "gamma", "γ" }, { "delta", "δ" },
  { "pi", "π" }, { "sigma", "σ" }, { "mu", "μ" }, { "lambda", "λ" }, { "theta", "θ" },
  { "omega", "ω" }, { "check", "✓" }, { "frac12", "½" }, { "frac14", "¼" },
  { "frac34", "¾" }, { "sup2", "²" }, { "sup3", "³" },
  { "shy", "\xc2\xad" }, { "zwj", "\xe2\x80\x8d" }, { "zwnj", "\xe2\x80\x8c" },
  { "lrm", "\xe2\x80\x8e" }, { "rlm", "\xe2\x80\x8f" }, { "ensp", " " }, { "emsp", " " },
  { "thinsp", " " },
};

typedef struct
{
  GString *out;
  GString *math;        /* (nullable): collecting a formula's source */
  GArray  *links;       /* gsize: where each open link's text starts in out */
  GPtrArray *urls;      /* char*: each open link's destination */
  GString *pending;     /* link destinations to print at the end of the line */
} Flattener;

static void
append_entity (GString    *out,
               const char *text,
               gsize       len)
{
  if (len >= 4 && text[0] == '&' && text[1] == '#' && text[len - 1] == ';')
    {
      gboolean hex = (text[2] == 'x' || text[2] == 'X');
      const char *digits = text + (hex ? 3 : 2);
      gsize n_digits = text + len - 1 - digits;
      guint64 value = 0;

      for (gsize i = 0; i < n_digits && value <= 0x10FFFF; i++)
        value = value * (hex ? 16 : 10) + (guint64) g_ascii_xdigit_value (digits[i]);
      if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        value = 0xFFFD;
      g_string_append_unichar (out, (gunichar) value);
      return;
    }
  if (len >= 3 && text[0] == '&' && text[len - 1] == ';')
    for (gsize i = 0; i < G_N_ELEMENTS (named_entities); i++)
      if (strlen (named_entities[i].name) == len - 2 &&
          strncmp (named_entities[i].name, text + 1, len - 2) == 0)
        {
          g_string_append (out, named_entities[i].utf8);
          return;
        }
  g_string_append_len (out, text, (gssize) len);
}

static void
end_line (Flattener *f)
{
  if (f->pending->len > 0)
    {
      g_string_append_len (f->out, f->pending->str, (gssize) f->pending->len);
      g_string_truncate (f->pending, 0);
    }
  if (f->out->len > 0 && f->out->str[f->out->len - 1] != '\n')
    g_string_append_c (f->out, '\n');
}

static int
enter_block_cb (MD_BLOCKTYPE  type,
                void         *detail,
                void         *user_data)
{
  Flattener *f = user_data;

  if (type == MD_BLOCK_TD || type == MD_BLOCK_TH)
    {
      if (f->out->len > 0 && f->out->str[f->out->len - 1] != '\n')
        g_string_append (f->out, " \t ");
    }
  else if (type != MD_BLOCK_DOC)
    end_line (f);
  return 0;
}

static int
leave_block_cb (MD_BLOCKTYPE  type,
                void         *detail,
                void         *user_data)
{
  Flattener *f = user_data;

  if (type != MD_BLOCK_TD && type != MD_BLOCK_TH)
    end_line (f);
  return 0;
}

static char *
attribute_to_string (const MD_ATTRIBUTE *attr)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; attr->substr_offsets[i] < attr->size; i++)
    {
      const char *piece = attr->text + attr->substr_offsets[i];
      gsize len = attr->substr_offsets[i + 1] - attr->substr_offsets[i];

      if (attr->substr_types[i] == MD_TEXT_ENTITY)
        append_entity (s, piece, len);
      else if (attr->substr_types[i] == MD_TEXT_NULLCHAR)
        g_string_append (s, "\xef\xbf\xbd");
      else
        g_string_append_len (s, piece, (gssize) len);
    }
  return g_string_free (s, FALSE);
}

static int
enter_span_cb (MD_SPANTYPE  type,
               void        *detail,
               void        *user_data)
{
  Flattener *f = user_data;

  if (type == MD_SPAN_LATEXMATH || type == MD_SPAN_LATEXMATH_DISPLAY)
    {
      if (f->math == NULL)
        f->math = g_string_new (NULL);
    }
  else if (type == MD_SPAN_A || type == MD_SPAN_IMG)
    {
      gsize start = f->out->len;
      const MD_ATTRIBUTE *href = type == MD_SPAN_A ? &((MD_SPAN_A_DETAIL *) detail)->href
                                                   : &((MD_SPAN_IMG_DETAIL *) detail)->src;

      g_array_append_val (f->links, start);
      g_ptr_array_add (f->urls, attribute_to_string (href));
    }
  return 0;
}

static int
leave_span_cb (MD_SPANTYPE  type,
               void        *detail,
               void        *user_data)
{
  Flattener *f = user_data;

  if ((type == MD_SPAN_LATEXMATH || type == MD_SPAN_LATEXMATH_DISPLAY) && f->math != NULL)
    {
      g_autofree char *text = ka_tex_to_text (f->math->str, (gssize) f->math->len);

      g_string_append (f->out, text);
      g_string_free (f->math, TRUE);
      f->math = NULL;
    }
  else if ((type == MD_SPAN_A || type == MD_SPAN_IMG) && f->links->len > 0)
    {
      gsize start = g_array_index (f->links, gsize, f->links->len - 1);
      g_autofree char *url = g_ptr_array_steal_index (f->urls, f->urls->len - 1);
      const char *shown = url;

      g_array_set_size (f->links, f->links->len - 1);
      /* As the renderer: the destination in parentheses unless the text is it, but at the
       * end of the line, so that "[Cla](x)ude" reads "Claude (x)": the destination is
       * still read, and cannot cut a name in two. */
      if (g_str_has_prefix (shown, "mailto:"))
        shown += strlen ("mailto:");
      if (url[0] != '\0' && strcmp (f->out->str + start, shown) != 0)
        g_string_append_printf (f->pending, " (%s)", url);
    }
  return 0;
}

static int
text_cb (MD_TEXTTYPE    type,
         const MD_CHAR *text,
         MD_SIZE        size,
         void          *user_data)
{
  Flattener *f = user_data;
  GString *to = f->math != NULL ? f->math : f->out;

  switch (type)
    {
    case MD_TEXT_ENTITY:
      append_entity (to, text, size);
      break;
    case MD_TEXT_NULLCHAR:
      g_string_append (to, "\xef\xbf\xbd");
      break;
    case MD_TEXT_BR:
    case MD_TEXT_SOFTBR:
      g_string_append_c (to, '\n');
      break;
    case MD_TEXT_NORMAL:
    case MD_TEXT_CODE:
    case MD_TEXT_HTML:
    case MD_TEXT_LATEXMATH:
    default:
      g_string_append_len (to, text, (gssize) size);
      break;
    }
  return 0;
}

/**
 * ka_plain_text_from_markdown:
 * @markdown: a model's answer (CommonMark with GitHub extensions, as
 *   src/gui/ka-markdown.c reads it: no raw HTML, LaTeX math spans)
 * @length: bytes in @markdown, or -1 if NUL-terminated
 *
 * The text a citizen reads once @markdown is rendered, without its styling: entities
 * decoded ("&#67;laude" is "Claude"); emphasis, strikethrough, code spans and links
 * flattened to their text, each link's destination in parentheses as the renderer prints
 * it (not when the text is the destination) but at the end of the line, so that a link
 * cannot split a word ("[Cla](x)ude" reads "Claude (x)"); an image as its alt text and
 * source; formulas through ka_tex_to_text(); code blocks as their code; each block and
 * line break on a line of its own, table cells separated by a tab. Markup md4c does not
 * take ("EXA**ON**E" next to some characters) stays as written; ka_text_fold() removes
 * what is left between letters.
 *
 * Returns: (transfer full): UTF-8 plain text; never %NULL (md4c cannot fail on text, and
 *   on an internal failure the Markdown itself is returned)
 */
char *
ka_plain_text_from_markdown (const char *markdown,
                             gssize      length)
{
  MD_PARSER parser = { 0 };
  Flattener f;
  gsize size;

  g_return_val_if_fail (markdown != NULL || length == 0, NULL);

  if (markdown == NULL)
    return g_strdup ("");
  size = length < 0 ? strlen (markdown) : (gsize) length;

  f.out = g_string_sized_new (size);
  f.math = NULL;
  f.links = g_array_new (FALSE, FALSE, sizeof (gsize));
  f.urls = g_ptr_array_new_with_free_func (g_free);
  f.pending = g_string_new (NULL);

  parser.flags = MD_DIALECT_GITHUB | MD_FLAG_NOHTML | MD_FLAG_LATEXMATHSPANS;
  parser.enter_block = enter_block_cb;
  parser.leave_block = leave_block_cb;
  parser.enter_span = enter_span_cb;
  parser.leave_span = leave_span_cb;
  parser.text = text_cb;

  if (md_parse (markdown, (MD_SIZE) size, &parser, &f) != 0)
    {
      g_string_truncate (f.out, 0);
      g_string_append_len (f.out, markdown, (gssize) size);
    }
  else
    end_line (&f);

  if (f.math != NULL)
    g_string_free (f.math, TRUE);
  g_array_unref (f.links);
  g_ptr_array_unref (f.urls);
  g_string_free (f.pending, TRUE);
  return g_string_free (f.out, FALSE);
}
