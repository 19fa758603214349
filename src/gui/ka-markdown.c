/* ka-markdown.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-markdown"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include <adwaita.h>
#include <md4c.h>

#include "ka-code-view.h"
#include "ka-markdown.h"
#include "ka-markdown-source.h"
#include "ka-markdown-table.h"
#include "ka-math-view.h"
#include "ka-tex.h"

/*
 * Model text is untrusted (DESIGN.md §7, §11). Two stages keep it harmless:
 *
 * 1. ka_text_sanitize() turns arbitrary bytes into displayable UTF-8 (rules below).
 * 2. ka_markdown_render() parses that text with md4c and inserts *plain text* into a
 *    GtkTextBuffer, styled only with GtkTextTags created here. Nothing is ever handed to
 *    Pango markup, GtkLabel markup or a GtkBuilder parser, so `<span size="99999">`,
 *    `&amp;` or an unbalanced `<i>` appear exactly as written. Raw HTML is disabled in md4c
 *    (MD_FLAG_NOHTML), so HTML arrives as ordinary text. Links are underlined and coloured
 *    but the view has no handler for them: the URL is printed after the link text.
 *
 * Huge answers: the sanitized input is cut at KA_MD_MAX_INPUT_BYTES and the rendered text
 * at KA_MD_MAX_OUTPUT_BYTES (tables can grow when padded); either cut appends a visible
 * "(truncated)" note. The limits are constants, so both sides of a battle get the same
 * treatment.
 */

#define KA_MD_MAX_INPUT_BYTES   (200 * 1024)
#define KA_MD_MAX_OUTPUT_BYTES  (400 * 1024)
#define KA_MD_MAX_INDENT        8       /* nesting levels that still indent further */
#define KA_MD_INDENT_PX         24
#define KA_MD_MAX_TABLE_PAD     60      /* widest column we pad to, in cells */
#define KA_MD_MAX_MARKS         4       /* combining marks kept per base character */
#define KA_MD_MAX_JOINERS       2       /* consecutive ZWJ/ZWNJ kept */
#define KA_MD_BACKSLASH_SCAN    64
/* GtkTextBuffer walks a line's segments to find an offset, so tags on a very long line
 * cost quadratic time (a 200 KB line of `code` spans takes tens of seconds). Longer lines
 * are broken; real answers stay below this except for degenerate repetition. */
#define KA_MD_MAX_LINE_CHARS    8192
#define KA_MD_MAX_SPANS         100000
#define KA_MD_MAX_SPANS_PER_LINE 64    /* styled runs starting on one line; more stay plain */

#define MONO_FAMILY  "monospace"
/* Korean words longer than this (in characters) may still break inside: a 2,000-syllable
 * run without spaces must wrap rather than run off the pane. */
#define KA_MD_MAX_KEEP_ALL      32

/* ------------------------------------------------------------------------------------ */
/* Sanitizing                                                                           */
/* ------------------------------------------------------------------------------------ */

/* Invisible characters that can reorder or hide text: shown as a visible marker. */
static gboolean
is_marked_invisible (gunichar c)
{
  return (c >= 0x202A && c <= 0x202E)     /* LRE RLE PDF LRO RLO: embeddings, overrides */
      || (c >= 0x2066 && c <= 0x2069)     /* LRI RLI FSI PDI: isolates */
      || c == 0x200E || c == 0x200F       /* LRM RLM */
      || c == 0x061C                      /* ARABIC LETTER MARK */
      || c == 0x200B                      /* ZERO WIDTH SPACE */
      || c == 0x00AD                      /* SOFT HYPHEN: hides inside a word ("Cl<U+00AD>aude") */
      || c == 0x2060                      /* WORD JOINER */
      || c == 0xFEFF                      /* ZERO WIDTH NO-BREAK SPACE (BOM) */
      || (c >= 0x2061 && c <= 0x2064)     /* invisible math operators */
      || (c >= 0x206A && c <= 0x206F)     /* deprecated format characters */
      || (c >= 0xFFF9 && c <= 0xFFFB)     /* interlinear annotation */
      || c == 0x180E                      /* MONGOLIAN VOWEL SEPARATOR */
      || (c >= 0xFDD0 && c <= 0xFDEF);    /* noncharacters: the renderer's own markers */
}

static gboolean
is_mark (gunichar c)
{
  switch (g_unichar_type (c))
    {
    case G_UNICODE_NON_SPACING_MARK:
    case G_UNICODE_SPACING_MARK:
    case G_UNICODE_ENCLOSING_MARK:
      return TRUE;
    default:
      return FALSE;
    }
}

static void
append_marker (GString  *out,
               gunichar  c)
{
  /* ⟨U+202E⟩: readable, copyable, and not Markdown syntax. */
  g_string_append_printf (out, "\xe2\x9f\xa8U+%04X\xe2\x9f\xa9", c);
}

/*
 * ka_text_sanitize:
 * @text: (nullable): bytes of unknown encoding and content
 * @length: bytes in @text, or -1 if NUL-terminated
 *
 * Returns valid, displayable UTF-8 (transfer full). Rules, applied in order:
 *
 * - NUL bytes are dropped, then invalid UTF-8 is replaced with U+FFFD by
 *   g_utf8_make_valid().
 * - "\r\n" becomes "\n"; a lone "\r", U+2028 and U+2029 become "\n".
 * - Other C0 controls, DEL and C1 controls (U+0080–U+009F) are dropped; "\n" and "\t" stay.
 * - A byte-order mark at the very start is dropped silently.
 * - Bidi embeddings/overrides/isolates (U+202A–U+202E, U+2066–U+2069), bidi marks
 *   (U+200E, U+200F, U+061C) and invisible characters (U+200B, U+00AD soft hyphen,
 *   U+2060, U+FEFF, U+2061–U+2064, U+206A–U+206F, U+FFF9–U+FFFB, U+180E) and the
 *   noncharacters U+FDD0–U+FDEF (the renderer's private markers, ka-markdown-source.c) are
 *   replaced by
 *   the visible marker "⟨U+XXXX⟩", so they can neither reorder the text nor hide inside
 *   a word.
 * - Tag characters (U+E0000–U+E007F) are kept only inside an emoji tag sequence (after
 *   U+1F3F4, as in subdivision flags); elsewhere they are marked too.
 * - ZWJ and ZWNJ (U+200C, U+200D) are kept (emoji sequences, Indic and Persian scripts),
 *   but at most KA_MD_MAX_JOINERS in a row. A name split by one ("Anthr<U+200D>opic") is still
 *   caught: the identity guard removes them before matching (docs/pack-format.md).
 * - At most KA_MD_MAX_MARKS combining marks (categories Mn, Mc, Me) follow a base
 *   character; the rest of a longer run ("Zalgo" text) is dropped. Joiners do not count as
 *   base characters, so they cannot be used to restart a run.
 */
char *
ka_text_sanitize (const char *text,
                  gssize      length)
{
  g_autofree char *no_nul = NULL;
  g_autofree char *valid = NULL;
  const char *src;
  const char *p;
  GString *out;
  gsize src_len;
  guint n_marks = 0;
  guint n_joiners = 0;
  gboolean in_tag_sequence = FALSE;

  g_return_val_if_fail (text != NULL || length <= 0, NULL);

  if (text == NULL)
    return g_strdup ("");
  if (length < 0)
    length = strlen (text);

  src = text;
  src_len = length;
  if (memchr (text, '\0', length) != NULL)
    {
      gsize j = 0;

      no_nul = g_malloc (length + 1);
      for (gssize i = 0; i < length; i++)
        if (text[i] != '\0')
          no_nul[j++] = text[i];
      no_nul[j] = '\0';
      src = no_nul;
      src_len = j;
    }

  valid = g_utf8_make_valid (src, src_len);
  out = g_string_sized_new (strlen (valid) + 16);

  p = valid;
  if ((guchar) p[0] == 0xEF && (guchar) p[1] == 0xBB && (guchar) p[2] == 0xBF)
    p += 3;

  while (*p != '\0')
    {
      guchar b = (guchar) *p;
      gunichar c;
      const char *next;

      if (b < 0x80)
        {
          /* ASCII fast path: copy the printable run at once. */
          if (b >= 0x20 && b != 0x7F)
            {
              const char *run = p;

              while ((guchar) *p >= 0x20 && (guchar) *p < 0x7F)
                p++;
              g_string_append_len (out, run, p - run);
            }
          else
            {
              if (b == '\n' || b == '\t')
                g_string_append_c (out, b);
              else if (b == '\r')
                {
                  if (p[1] != '\n')
                    g_string_append_c (out, '\n');
                }
              p++;
            }
          n_marks = 0;
          n_joiners = 0;
          in_tag_sequence = FALSE;
          continue;
        }

      c = g_utf8_get_char (p);
      next = g_utf8_next_char (p);

      if (c >= 0x80 && c <= 0x9F)
        {
          /* C1 control: dropped */
        }
      else if (c == 0x2028 || c == 0x2029)
        {
          g_string_append_c (out, '\n');
          n_marks = 0;
          n_joiners = 0;
        }
      else if (c == 0x200C || c == 0x200D)
        {
          if (n_joiners++ < KA_MD_MAX_JOINERS)
            g_string_append_len (out, p, next - p);
        }
      else if (c >= 0xE0000 && c <= 0xE007F)
        {
          if (in_tag_sequence)
            g_string_append_len (out, p, next - p);
          else
            append_marker (out, c);
          if (c == 0xE007F)
            in_tag_sequence = FALSE;
        }
      else if (is_marked_invisible (c))
        {
          append_marker (out, c);
          n_marks = 0;
          n_joiners = 0;
          in_tag_sequence = FALSE;
        }
      else if (is_mark (c))
        {
          if (n_marks++ < KA_MD_MAX_MARKS)
            g_string_append_len (out, p, next - p);
        }
      else
        {
          g_string_append_len (out, p, next - p);
          n_marks = 0;
          n_joiners = 0;
          in_tag_sequence = (c == 0x1F3F4);
        }

      p = next;
    }

  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------------------------ */
/* Tags                                                                                 */
/* ------------------------------------------------------------------------------------ */

typedef struct
{
  GtkTextTag *h[6];
  GtkTextTag *bold;
  GtkTextTag *italic;
  GtkTextTag *strike;
  GtkTextTag *code;
  GtkTextTag *code_block;
  GtkTextTag *indent[KA_MD_MAX_INDENT];
  GtkTextTag *quote;
  GtkTextTag *keep_all;
  GtkTextTag *table_header;
  GtkTextTag *link;
  GtkTextTag *dim;
  GtkTextTag *note;
} Tags;

static const double heading_scale[6] = { 1.6, 1.4, 1.25, 1.1, 1.0, 0.9 };

static GtkTextTag *
ensure_tag (GtkTextTagTable *table,
            const char      *name,
            const char      *first_property,
            ...)
{
  GtkTextTag *tag = gtk_text_tag_table_lookup (table, name);

  if (tag == NULL)
    {
      va_list args;

      tag = gtk_text_tag_new (name);
      va_start (args, first_property);
      g_object_set_valist (G_OBJECT (tag), first_property, args);
      va_end (args);
      gtk_text_tag_table_add (table, tag);
      g_object_unref (tag);
    }

  return tag;
}

/* Colours have to stay legible on Adwaita's light and dark backgrounds (WCAG AA), which
 * no single colour does, so the palette follows AdwStyleManager:dark. */
static void
apply_palette (GtkTextTagTable *table,
               gboolean         dark)
{
  static const struct
  {
    const char *name;
    const char *property;
    const char *light;
    const char *dark;
  } palette[] = {
    { "ka-link", "foreground", "#1a5fb4", "#78aeed" },
    { "ka-quote", "foreground", "#5e5c64", "#c0bfbc" },
    { "ka-dim", "foreground", "#5e5c64", "#c0bfbc" },
    { "ka-note", "foreground", "#5e5c64", "#c0bfbc" },
    { "ka-code", "background", "rgba(0,0,0,0.07)", "rgba(255,255,255,0.10)" },
    { "ka-code-block", "paragraph-background", "rgba(0,0,0,0.05)", "rgba(255,255,255,0.07)" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (palette); i++)
    {
      GtkTextTag *tag = gtk_text_tag_table_lookup (table, palette[i].name);
      GdkRGBA rgba;

      if (tag == NULL || !gdk_rgba_parse (&rgba, dark ? palette[i].dark : palette[i].light))
        continue;

      if (g_str_equal (palette[i].property, "foreground"))
        g_object_set (tag, "foreground-rgba", &rgba, NULL);
      else if (g_str_equal (palette[i].property, "background"))
        g_object_set (tag, "background-rgba", &rgba, NULL);
      else
        g_object_set (tag, "paragraph-background-rgba", &rgba, NULL);
    }
}

static void
style_manager_dark_changed_cb (AdwStyleManager *manager,
                               GParamSpec      *pspec,
                               GtkTextTagTable *table)
{
  apply_palette (table, adw_style_manager_get_dark (manager));
}

/*
 * ka_markdown_ensure_tags:
 * @table: a tag table
 *
 * Creates the renderer's tags in @table unless they exist (they are looked up by name).
 * All are named "ka-…"; besides the Markdown ones, "ka-dim" (secondary text) and "ka-note"
 * may be used by callers. Indentation tags are created in increasing depth so that the
 * deeper one wins where they overlap.
 */
void
ka_markdown_ensure_tags (GtkTextTagTable *table)
{
  GdkDisplay *display;

  g_return_if_fail (GTK_IS_TEXT_TAG_TABLE (table));

  if (gtk_text_tag_table_lookup (table, "ka-note") != NULL)
    return;

  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *name = g_strdup_printf ("ka-h%u", i + 1);

      ensure_tag (table, name,
                  "weight", PANGO_WEIGHT_BOLD,
                  "scale", heading_scale[i],
                  "pixels-above-lines", 4,
                  NULL);
    }
  ensure_tag (table, "ka-bold", "weight", PANGO_WEIGHT_BOLD, NULL);
  ensure_tag (table, "ka-italic", "style", PANGO_STYLE_ITALIC, NULL);
  ensure_tag (table, "ka-strike", "strikethrough", TRUE, NULL);
  ensure_tag (table, "ka-code", "family", MONO_FAMILY, NULL);
  ensure_tag (table, "ka-code-block", "family", MONO_FAMILY, NULL);
  for (guint i = 0; i < KA_MD_MAX_INDENT; i++)
    {
      g_autofree char *name = g_strdup_printf ("ka-indent-%u", i + 1);

      ensure_tag (table, name, "left-margin", (int) (KA_MD_INDENT_PX * (i + 1)), NULL);
    }
  ensure_tag (table, "ka-quote", "style", PANGO_STYLE_ITALIC, NULL);
  ensure_tag (table, "ka-table-header", "weight", PANGO_WEIGHT_BOLD, NULL);
  /* Korean wraps between words, as CSS word-break: keep-all (see apply_keep_all()). */
  ensure_tag (table, "ka-keep-all", "allow-breaks", FALSE, NULL);
  ensure_tag (table, "ka-link", "underline", PANGO_UNDERLINE_SINGLE, NULL);
  ensure_tag (table, "ka-dim", "scale", 0.9, NULL);
  ensure_tag (table, "ka-note", "style", PANGO_STYLE_ITALIC, NULL);

  display = gdk_display_get_default ();
  if (display != NULL)
    {
      AdwStyleManager *manager = adw_style_manager_get_for_display (display);

      apply_palette (table, adw_style_manager_get_dark (manager));
      g_signal_connect_object (manager, "notify::dark",
                               G_CALLBACK (style_manager_dark_changed_cb), table, 0);
    }
  else
    {
      apply_palette (table, FALSE);
    }
}

static void
lookup_tags (GtkTextTagTable *table,
             Tags            *tags)
{
  ka_markdown_ensure_tags (table);

  for (guint i = 0; i < 6; i++)
    {
      char name[8];

      g_snprintf (name, sizeof name, "ka-h%u", i + 1);
      tags->h[i] = gtk_text_tag_table_lookup (table, name);
    }
  for (guint i = 0; i < KA_MD_MAX_INDENT; i++)
    {
      char name[16];

      g_snprintf (name, sizeof name, "ka-indent-%u", i + 1);
      tags->indent[i] = gtk_text_tag_table_lookup (table, name);
    }
  tags->bold = gtk_text_tag_table_lookup (table, "ka-bold");
  tags->italic = gtk_text_tag_table_lookup (table, "ka-italic");
  tags->strike = gtk_text_tag_table_lookup (table, "ka-strike");
  tags->code = gtk_text_tag_table_lookup (table, "ka-code");
  tags->code_block = gtk_text_tag_table_lookup (table, "ka-code-block");
  tags->quote = gtk_text_tag_table_lookup (table, "ka-quote");
  tags->keep_all = gtk_text_tag_table_lookup (table, "ka-keep-all");
  tags->table_header = gtk_text_tag_table_lookup (table, "ka-table-header");
  tags->link = gtk_text_tag_table_lookup (table, "ka-link");
  tags->dim = gtk_text_tag_table_lookup (table, "ka-dim");
  tags->note = gtk_text_tag_table_lookup (table, "ka-note");
}

/* ------------------------------------------------------------------------------------ */
/* Output: a sequence of blocks (prose runs, tables, code, display math)                */
/* ------------------------------------------------------------------------------------ */

typedef struct
{
  GtkTextTag *tag;
  int         start;    /* character offsets within the sink */
  int         end;
} Span;

typedef struct
{
  int                   offset;   /* character offset within the sink */
  const KaMarkdownMath *math;
} InlineMath;

typedef struct
{
  GString *text;
  int      n_chars;
  GArray  *spans;       /* of Span */
  GArray  *math;        /* of InlineMath, in the order written */
} Sink;

static void
sink_init (Sink *sink)
{
  sink->text = g_string_new (NULL);
  sink->n_chars = 0;
  sink->spans = g_array_new (FALSE, FALSE, sizeof (Span));
  sink->math = g_array_new (FALSE, FALSE, sizeof (InlineMath));
}

static void
sink_clear (Sink *sink)
{
  if (sink->text != NULL)
    g_string_free (sink->text, TRUE);
  g_clear_pointer (&sink->spans, g_array_unref);
  g_clear_pointer (&sink->math, g_array_unref);
  sink->text = NULL;
}

static void
sink_add_span (Sink       *sink,
               GtkTextTag *tag,
               int         start,
               int         end)
{
  Span span = { tag, start, end };

  if (tag != NULL && end > start)
    g_array_append_val (sink->spans, span);
}

typedef struct
{
  Sink     sink;
  MD_ALIGN align;
} Cell;

static void
cell_free (Cell *cell)
{
  sink_clear (&cell->sink);
  g_free (cell);
}

typedef struct
{
  GPtrArray *cells;   /* of Cell */
  gboolean   header;
} Row;

static void
row_free (Row *row)
{
  g_ptr_array_unref (row->cells);
  g_free (row);
}

typedef enum
{
  BLOCK_PROSE,
  BLOCK_TABLE,
  BLOCK_CODE,
  BLOCK_MATH,
} BlockKind;

typedef struct
{
  BlockKind  kind;
  guint      level;       /* list and quote depth: indentation of non-prose blocks */
  Sink       sink;        /* PROSE */
  GPtrArray *rows;        /* TABLE: of Row */
  char      *language;    /* CODE: the fence's first word */
  char      *text;        /* CODE: the code; MATH: the TeX */
} Block;

static void
block_free (Block *block)
{
  if (block->kind == BLOCK_PROSE)
    sink_clear (&block->sink);
  g_clear_pointer (&block->rows, g_ptr_array_unref);
  g_free (block->language);
  g_free (block->text);
  g_free (block);
}

typedef struct
{
  GtkTextTag *tag;
  int         start;
  gsize       byte_start;
  char       *url;      /* (owned) (nullable): for links and images */
  MD_SPANTYPE type;
} OpenSpan;

typedef struct
{
  int   start;
  guint level;
  gboolean quote;
} Container;

typedef struct
{
  gboolean ordered;
  gboolean tight;
  guint    next;
  char     delimiter;
} List;

typedef struct
{
  Tags                    tags;
  const char             *src;
  gsize                   src_len;
  const KaMarkdownSource *source;

  GPtrArray  *blocks;       /* of Block */
  Sink        doc;          /* the prose run being written */
  Sink       *cur;          /* doc, or the current table cell */
  int         line_chars;   /* characters on the doc's last line */
  gsize       out_bytes;
  gboolean    over_budget;

  GArray     *open_spans;   /* of OpenSpan */
  GArray     *containers;   /* of Container: quotes and list items */
  GArray     *lists;        /* of List */
  guint       level;        /* indentation depth */
  gboolean    li_fresh;     /* a list marker was just written */

  int         block_start;
  guint       heading;      /* 1–6 inside a heading, else 0 */
  gboolean    in_code_block;
  GString    *code;         /* (nullable): the code block being read */
  char       *code_language;

  GPtrArray  *rows;         /* (nullable): of Row, while in a table */
  gboolean    in_thead;
  Cell       *cell;
} Renderer;

static void
renderer_init (Renderer               *r,
               GtkTextTagTable        *table,
               const KaMarkdownSource *source,
               gsize                   src_len)
{
  memset (r, 0, sizeof *r);
  lookup_tags (table, &r->tags);
  r->source = source;
  r->src = source->text;
  r->src_len = src_len;
  r->blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) block_free);
  sink_init (&r->doc);
  r->cur = &r->doc;
  r->open_spans = g_array_new (FALSE, FALSE, sizeof (OpenSpan));
  r->containers = g_array_new (FALSE, FALSE, sizeof (Container));
  r->lists = g_array_new (FALSE, FALSE, sizeof (List));
}

static void
renderer_clear (Renderer *r)
{
  for (guint i = 0; i < r->open_spans->len; i++)
    g_free (g_array_index (r->open_spans, OpenSpan, i).url);
  g_array_unref (r->open_spans);
  g_array_unref (r->containers);
  g_array_unref (r->lists);
  g_clear_pointer (&r->rows, g_ptr_array_unref);
  g_clear_pointer (&r->cell, cell_free);
  g_clear_pointer (&r->blocks, g_ptr_array_unref);
  if (r->code != NULL)
    g_string_free (r->code, TRUE);
  g_free (r->code_language);
  sink_clear (&r->doc);
}

static void
sink_append (Sink       *sink,
             const char *text,
             gsize       len,
             int         n_chars)
{
  g_string_append_len (sink->text, text, len);
  sink->n_chars += n_chars;
}

static gboolean
take_budget (Renderer *r,
             gsize     len)
{
  if (r->over_budget)
    return FALSE;
  if (r->out_bytes + len > KA_MD_MAX_OUTPUT_BYTES)
    {
      r->over_budget = TRUE;
      return FALSE;
    }
  r->out_bytes += len;
  return TRUE;
}

static void
append (Renderer   *r,
        const char *text,
        gsize       len)
{
  if (len == 0 || !take_budget (r, len))
    return;

  if (r->cur != &r->doc)
    {
      sink_append (r->cur, text, len, g_utf8_strlen (text, len));
      return;
    }

  /* Line by line, breaking lines longer than KA_MD_MAX_LINE_CHARS. */
  while (len > 0)
    {
      const char *nl = memchr (text, '\n', len);
      gsize body_len = nl != NULL ? (gsize) (nl - text) : len;
      int body_chars = g_utf8_strlen (text, body_len);

      if (r->line_chars + body_chars > KA_MD_MAX_LINE_CHARS)
        {
          int room = KA_MD_MAX_LINE_CHARS - r->line_chars;
          gsize cut = g_utf8_offset_to_pointer (text, room) - text;

          sink_append (&r->doc, text, cut, room);
          sink_append (&r->doc, "\n", 1, 1);
          r->line_chars = 0;
          text += cut;
          len -= cut;
          continue;
        }

      if (nl != NULL)
        {
          sink_append (&r->doc, text, body_len + 1, body_chars + 1);
          r->line_chars = 0;
          text += body_len + 1;
          len -= body_len + 1;
        }
      else
        {
          sink_append (&r->doc, text, body_len, body_chars);
          r->line_chars += body_chars;
          len = 0;
        }
    }
}

/* Removes the doc's last character, a newline. */
static void
drop_last_newline (Renderer *r)
{
  const char *str = r->doc.text->str;
  gsize len;

  g_string_truncate (r->doc.text, r->doc.text->len - 1);
  r->doc.n_chars--;

  len = r->doc.text->len;
  for (gsize i = len; i > 0; i--)
    if (str[i - 1] == '\n')
      {
        r->line_chars = g_utf8_strlen (str + i, len - i);
        return;
      }
  r->line_chars = g_utf8_strlen (str, len);
}

static void
append_str (Renderer   *r,
            const char *text)
{
  append (r, text, strlen (text));
}

static char
last_char (Sink *sink,
           guint back)
{
  if (sink->text->len <= back)
    return '\0';
  return sink->text->str[sink->text->len - 1 - back];
}

static void
ensure_newline (Renderer *r)
{
  if (r->doc.text->len > 0 && last_char (&r->doc, 0) != '\n')
    append (r, "\n", 1);
}

static gboolean
in_tight_list (Renderer *r)
{
  return r->lists->len > 0 && g_array_index (r->lists, List, r->lists->len - 1).tight;
}

/* Separates blocks with a blank line (a line break only inside tight lists). */
static void
block_separator (Renderer *r)
{
  if (r->li_fresh)
    {
      r->li_fresh = FALSE;
      return;
    }

  if (r->doc.text->len == 0)
    return;

  ensure_newline (r);
  if (!in_tight_list (r) && last_char (&r->doc, 1) != '\n')
    append (r, "\n", 1);
}

static GtkTextTag *
indent_tag (Renderer *r,
            guint     level)
{
  if (level == 0)
    return NULL;
  return r->tags.indent[MIN (level, KA_MD_MAX_INDENT) - 1];
}

/* Ends the current prose run before a table, a code block or a display formula: the
 * styles still open (list indentation, quotes, emphasis) are closed here and reopened at
 * the start of the next run. */
static void
flush_prose (Renderer *r)
{
  Block *block;

  while (r->doc.text->len > 0 && last_char (&r->doc, 0) == '\n')
    drop_last_newline (r);

  if (r->doc.n_chars == 0 && r->doc.math->len == 0)
    {
      g_array_set_size (r->doc.spans, 0);
      return;
    }

  for (guint i = 0; i < r->containers->len; i++)
    {
      Container *container = &g_array_index (r->containers, Container, i);

      sink_add_span (&r->doc, indent_tag (r, container->level), container->start, r->doc.n_chars);
      if (container->quote)
        sink_add_span (&r->doc, r->tags.quote, container->start, r->doc.n_chars);
      container->start = 0;
    }
  for (guint i = 0; i < r->open_spans->len; i++)
    {
      OpenSpan *open = &g_array_index (r->open_spans, OpenSpan, i);

      sink_add_span (&r->doc, open->tag, open->start, r->doc.n_chars);
      open->start = 0;
      open->byte_start = 0;
    }
  if (r->heading > 0)
    sink_add_span (&r->doc, r->tags.h[r->heading - 1], r->block_start, r->doc.n_chars);

  block = g_new0 (Block, 1);
  block->kind = BLOCK_PROSE;
  block->sink = r->doc;
  g_ptr_array_add (r->blocks, block);

  sink_init (&r->doc);
  r->line_chars = 0;
  r->block_start = 0;
}

static Block *
push_block (Renderer  *r,
            BlockKind  kind)
{
  Block *block = g_new0 (Block, 1);

  flush_prose (r);
  block->kind = kind;
  block->level = r->level;
  g_ptr_array_add (r->blocks, block);

  return block;
}

/* Appends prose text from md4c with the source's markers restored and runs of spaces and
 * tabs collapsed to one space, as Markdown collapses them. */
static void
append_restored (Renderer   *r,
                 const char *text,
                 gsize       len,
                 gboolean    collapse)
{
  g_autoptr(GString) restored = g_string_sized_new (len);
  gsize out = 0;
  gboolean space = FALSE;

  ka_markdown_source_restore (r->source, restored, text, len);
  if (!collapse)
    {
      append (r, restored->str, restored->len);
      return;
    }

  /* A space already ends the text written so far, or nothing was written on this line. */
  space = (r->cur->text->len == 0 || last_char (r->cur, 0) == ' '
           || last_char (r->cur, 0) == '\n');
  /* …unless an inline formula was put there last. */
  if (r->cur->math->len > 0
      && g_array_index (r->cur->math, InlineMath, r->cur->math->len - 1).offset == r->cur->n_chars)
    space = FALSE;
  for (gsize i = 0; i < restored->len; i++)
    {
      char c = restored->str[i];

      if (c == ' ' || c == '\t')
        {
          if (space)
            continue;
          space = TRUE;
          c = ' ';
        }
      else
        {
          space = FALSE;
        }
      restored->str[out++] = c;
    }
  append (r, restored->str, out);
}

static void
emit_math (Renderer             *r,
           const KaMarkdownMath *math)
{
  if (r->cur != &r->doc)
    {
      /* A table cell is a plain label: the formula as readable text. */
      g_autofree char *text = ka_tex_to_text (math->tex, -1);

      append_str (r, text);
    }
  else if (math->display && r->heading == 0)
    {
      Block *block = push_block (r, BLOCK_MATH);

      block->text = g_strdup (math->tex);
    }
  else
    {
      InlineMath inline_math = { r->doc.n_chars, math };

      g_array_append_val (r->doc.math, inline_math);
    }
}

/* Prose text: math tokens become formulas, the rest is restored and collapsed. */
static void
append_prose (Renderer   *r,
              const char *text,
              gsize       len)
{
  while (len > 0)
    {
      const KaMarkdownMath *math = NULL;
      gsize token_len = 0;
      const char *token = ka_markdown_source_find_math (r->source, text, len, &token_len, &math);
      gsize piece = token != NULL ? (gsize) (token - text) : len;

      append_restored (r, text, piece, TRUE);
      if (token == NULL)
        break;
      emit_math (r, math);
      text = token + token_len;
      len -= piece + token_len;
    }
}

/* ------------------------------------------------------------------------------------ */
/* Entities                                                                             */
/* ------------------------------------------------------------------------------------ */

static const struct
{
  const char *name;
  const char *utf8;
} named_entities[] = {
  { "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" }, { "apos", "'" },
  { "nbsp", "\xc2\xa0" }, { "copy", "©" }, { "reg", "®" }, { "trade", "™" },
  { "hellip", "…" }, { "mdash", "—" }, { "ndash", "–" }, { "lsquo", "‘" }, { "rsquo", "’" },
  { "ldquo", "“" }, { "rdquo", "”" }, { "laquo", "«" }, { "raquo", "»" }, { "times", "×" },
  { "divide", "÷" }, { "deg", "°" }, { "plusmn", "±" }, { "middot", "·" }, { "bull", "•" },
  { "euro", "€" }, { "pound", "£" }, { "yen", "¥" }, { "won", "₩" }, { "cent", "¢" },
  { "sect", "§" }, { "para", "¶" }, { "larr", "←" }, { "rarr", "→" }, { "uarr", "↑" },
  { "darr", "↓" }, { "harr", "↔" }, { "rArr", "⇒" }, { "lArr", "⇐" }, { "hArr", "⇔" },
  { "le", "≤" }, { "ge", "≥" }, { "ne", "≠" }, { "asymp", "≈" }, { "infin", "∞" },
  { "minus", "−" }, { "sum", "∑" }, { "prod", "∏" }, { "radic", "√" }, { "part", "∂" },
  { "alpha", "α" }, { "beta", "β" }, { "gamma", "γ" }, { "delta", "δ" }, { "pi", "π" },
  { "sigma", "σ" }, { "mu", "μ" }, { "lambda", "λ" }, { "theta", "θ" }, { "omega", "ω" },
  { "check", "✓" }, { "frac12", "½" }, { "frac14", "¼" }, { "frac34", "¾" },
  { "sup2", "²" }, { "sup3", "³" },
};

/* Appends the decoded entity, or the entity text itself when it is not one we know. */
static void
append_entity (Renderer   *r,
               const char *text,
               gsize       len)
{
  if (len >= 4 && text[0] == '&' && text[1] == '#' && text[len - 1] == ';')
    {
      gboolean hex = (text[2] == 'x' || text[2] == 'X');
      const char *digits = text + (hex ? 3 : 2);
      gsize n_digits = text + len - 1 - digits;
      guint64 value = 0;
      char utf8[8];
      g_autofree char *clean = NULL;
      int n;

      for (gsize i = 0; i < n_digits && value <= 0x10FFFF; i++)
        value = value * (hex ? 16 : 10) + g_ascii_xdigit_value (digits[i]);

      /* As CommonMark says: NUL, surrogates and out-of-range code points give U+FFFD. */
      if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        value = 0xFFFD;
      n = g_unichar_to_utf8 ((gunichar) value, utf8);
      /* The decoded character goes through the same rules as the text (bidi etc.). */
      clean = ka_text_sanitize (utf8, n);
      append_str (r, clean);
      return;
    }

  if (len >= 3 && text[0] == '&' && text[len - 1] == ';')
    {
      for (gsize i = 0; i < G_N_ELEMENTS (named_entities); i++)
        if (strlen (named_entities[i].name) == len - 2
            && strncmp (named_entities[i].name, text + 1, len - 2) == 0)
          {
            append_str (r, named_entities[i].utf8);
            return;
          }
    }

  append (r, text, len);
}

/* An MD_ATTRIBUTE (link destination) as one sanitized string, markers restored. */
static char *
attribute_to_string (const KaMarkdownSource *source,
                     const MD_ATTRIBUTE     *attr)
{
  GString *s = g_string_new (NULL);
  g_autofree char *raw = NULL;

  /* md4c leaves an absent attribute (an indented code block's language) all zero. */
  if (attr->size == 0 || attr->substr_offsets == NULL)
    {
      g_string_free (s, TRUE);
      return g_strdup ("");
    }

  for (guint i = 0; attr->substr_offsets[i] < attr->size; i++)
    {
      const char *piece = attr->text + attr->substr_offsets[i];
      gsize len = attr->substr_offsets[i + 1] - attr->substr_offsets[i];

      if (attr->substr_types[i] == MD_TEXT_NULLCHAR)
        g_string_append (s, "\xef\xbf\xbd");
      else if (attr->substr_types[i] == MD_TEXT_ENTITY && len == 5
               && strncmp (piece, "&amp;", 5) == 0)
        g_string_append_c (s, '&');
      else
        ka_markdown_source_restore (source, s, piece, len);
    }

  raw = g_string_free (s, FALSE);
  return ka_text_sanitize (raw, -1);
}

/* ------------------------------------------------------------------------------------ */
/* md4c callbacks                                                                       */
/* ------------------------------------------------------------------------------------ */

static void
push_container (Renderer *r,
                gboolean  quote)
{
  Container container = { r->doc.n_chars, ++r->level, quote };

  g_array_append_val (r->containers, container);
}

static void
pop_container (Renderer *r)
{
  Container *container;

  if (r->containers->len == 0)
    return;

  container = &g_array_index (r->containers, Container, r->containers->len - 1);
  sink_add_span (&r->doc, indent_tag (r, container->level), container->start, r->doc.n_chars);
  if (container->quote)
    sink_add_span (&r->doc, r->tags.quote, container->start, r->doc.n_chars);
  r->level = container->level - 1;
  g_array_set_size (r->containers, r->containers->len - 1);
}

static void
list_item_marker (Renderer           *r,
                  MD_BLOCK_LI_DETAIL *detail)
{
  static const char *bullets[] = { "•", "◦", "▪" };
  List *list;
  char marker[32];

  if (r->lists->len == 0)
    return;

  list = &g_array_index (r->lists, List, r->lists->len - 1);
  if (list->ordered)
    {
      g_snprintf (marker, sizeof marker, "%u%c ", list->next, list->delimiter);
      list->next++;
    }
  else
    {
      g_snprintf (marker, sizeof marker, "%s ", bullets[(r->lists->len - 1) % 3]);
    }
  append_str (r, marker);

  if (detail != NULL && detail->is_task)
    append_str (r, (detail->task_mark == ' ') ? "☐ " : "☑ ");
}

static int
enter_block_cb (MD_BLOCKTYPE  type,
                void         *detail,
                void         *user_data)
{
  Renderer *r = user_data;

  switch (type)
    {
    case MD_BLOCK_DOC:
      break;

    case MD_BLOCK_QUOTE:
      block_separator (r);
      push_container (r, TRUE);
      break;

    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
      {
        List list = { 0, };

        block_separator (r);
        list.ordered = (type == MD_BLOCK_OL);
        if (list.ordered)
          {
            MD_BLOCK_OL_DETAIL *ol = detail;

            list.tight = ol->is_tight;
            list.next = ol->start;
            list.delimiter = ol->mark_delimiter;
          }
        else
          {
            list.tight = ((MD_BLOCK_UL_DETAIL *) detail)->is_tight;
          }
        g_array_append_val (r->lists, list);
      }
      break;

    case MD_BLOCK_LI:
      if (r->li_fresh)
        {
          /* A list as an item's first child: give the outer marker its own line. */
          r->li_fresh = FALSE;
        }
      ensure_newline (r);
      if (!in_tight_list (r) && r->doc.text->len > 0 && last_char (&r->doc, 1) != '\n')
        append (r, "\n", 1);
      push_container (r, FALSE);
      list_item_marker (r, detail);
      r->li_fresh = TRUE;
      break;

    case MD_BLOCK_HR:
      block_separator (r);
      r->block_start = r->doc.n_chars;
      append_str (r, "────────────────────");
      sink_add_span (&r->doc, r->tags.dim, r->block_start, r->doc.n_chars);
      break;

    case MD_BLOCK_H:
      block_separator (r);
      r->block_start = r->doc.n_chars;
      r->heading = CLAMP (((MD_BLOCK_H_DETAIL *) detail)->level, 1, 6);
      break;

    case MD_BLOCK_CODE:
      {
        MD_BLOCK_CODE_DETAIL *code = detail;
        g_autofree char *lang = attribute_to_string (r->source, &code->lang);

        flush_prose (r);
        r->in_code_block = TRUE;
        if (r->code != NULL)
          g_string_free (r->code, TRUE);
        r->code = g_string_new (NULL);
        g_free (r->code_language);
        r->code_language = g_steal_pointer (&lang);
      }
      break;

    case MD_BLOCK_HTML:
    case MD_BLOCK_P:
      block_separator (r);
      break;

    case MD_BLOCK_TABLE:
      flush_prose (r);
      g_clear_pointer (&r->rows, g_ptr_array_unref);
      r->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
      break;

    case MD_BLOCK_THEAD:
      r->in_thead = TRUE;
      break;

    case MD_BLOCK_TBODY:
      r->in_thead = FALSE;
      break;

    case MD_BLOCK_TR:
      if (r->rows != NULL)
        {
          Row *row = g_new0 (Row, 1);

          row->cells = g_ptr_array_new_with_free_func ((GDestroyNotify) cell_free);
          row->header = r->in_thead;
          g_ptr_array_add (r->rows, row);
        }
      break;

    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
      g_clear_pointer (&r->cell, cell_free);
      r->cell = g_new0 (Cell, 1);
      sink_init (&r->cell->sink);
      r->cell->align = ((MD_BLOCK_TD_DETAIL *) detail)->align;
      r->cur = &r->cell->sink;
      break;

    default:
      break;
    }

  return r->over_budget ? 1 : 0;
}

static int
leave_block_cb (MD_BLOCKTYPE  type,
                void         *detail,
                void         *user_data)
{
  Renderer *r = user_data;

  switch (type)
    {
    case MD_BLOCK_QUOTE:
    case MD_BLOCK_LI:
      r->li_fresh = FALSE;
      pop_container (r);
      break;

    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
      if (r->lists->len > 0)
        g_array_set_size (r->lists, r->lists->len - 1);
      break;

    case MD_BLOCK_H:
      sink_add_span (&r->doc, r->tags.h[r->heading - 1], r->block_start, r->doc.n_chars);
      r->heading = 0;
      break;

    case MD_BLOCK_P:
      break;

    case MD_BLOCK_CODE:
      r->in_code_block = FALSE;
      if (r->code != NULL)
        {
          Block *block = push_block (r, BLOCK_CODE);

          /* md4c ends every code line with '\n'. */
          if (r->code->len > 0 && r->code->str[r->code->len - 1] == '\n')
            g_string_truncate (r->code, r->code->len - 1);
          block->text = g_string_free (g_steal_pointer (&r->code), FALSE);
          block->language = g_steal_pointer (&r->code_language);
        }
      break;

    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
      r->cur = &r->doc;
      if (r->cell != NULL)
        {
          Row *row = (r->rows != NULL && r->rows->len > 0)
                     ? g_ptr_array_index (r->rows, r->rows->len - 1) : NULL;

          g_strdelimit (r->cell->sink.text->str, "\t\n", ' ');
          if (row != NULL)
            g_ptr_array_add (row->cells, g_steal_pointer (&r->cell));
          else
            g_clear_pointer (&r->cell, cell_free);
        }
      break;

    case MD_BLOCK_TABLE:
      if (r->rows != NULL && r->rows->len > 0)
        {
          Block *block = push_block (r, BLOCK_TABLE);

          block->rows = g_steal_pointer (&r->rows);
        }
      g_clear_pointer (&r->rows, g_ptr_array_unref);
      r->in_thead = FALSE;
      break;

    default:
      break;
    }

  return r->over_budget ? 1 : 0;
}

static GtkTextTag *
span_tag (Renderer    *r,
          MD_SPANTYPE  type)
{
  switch (type)
    {
    case MD_SPAN_EM:
      return r->tags.italic;
    case MD_SPAN_STRONG:
      return r->tags.bold;
    case MD_SPAN_DEL:
      return r->tags.strike;
    case MD_SPAN_CODE:
      return r->tags.code;
    case MD_SPAN_LATEXMATH:
    case MD_SPAN_LATEXMATH_DISPLAY:
      /* Not enabled: ka-markdown-source.c finds math itself. */
      return NULL;
    case MD_SPAN_A:
    case MD_SPAN_IMG:
    case MD_SPAN_WIKILINK:
      return r->tags.link;
    case MD_SPAN_U:
    default:
      return NULL;
    }
}

static int
enter_span_cb (MD_SPANTYPE  type,
               void        *detail,
               void        *user_data)
{
  Renderer *r = user_data;
  OpenSpan open = { 0, };

  r->li_fresh = FALSE;

  open.type = type;
  open.tag = span_tag (r, type);
  open.start = r->cur->n_chars;
  open.byte_start = r->cur->text->len;
  if (type == MD_SPAN_A)
    open.url = attribute_to_string (r->source, &((MD_SPAN_A_DETAIL *) detail)->href);
  else if (type == MD_SPAN_IMG)
    open.url = attribute_to_string (r->source, &((MD_SPAN_IMG_DETAIL *) detail)->src);
  g_array_append_val (r->open_spans, open);

  return r->over_budget ? 1 : 0;
}

static int
leave_span_cb (MD_SPANTYPE  type,
               void        *detail,
               void        *user_data)
{
  Renderer *r = user_data;
  OpenSpan open;

  if (r->open_spans->len == 0)
    return r->over_budget ? 1 : 0;

  open = g_array_index (r->open_spans, OpenSpan, r->open_spans->len - 1);
  g_array_set_size (r->open_spans, r->open_spans->len - 1);

  sink_add_span (r->cur, open.tag, open.start, r->cur->n_chars);

  /* Links are never followed: the destination is printed after the text instead, unless
   * the text already is the destination (autolinks). */
  if (open.url != NULL && open.url[0] != '\0')
    {
      const char *label = r->cur->text->str + open.byte_start;
      gsize label_len = r->cur->text->len - open.byte_start;
      const char *url = open.url;

      if (g_str_has_prefix (url, "mailto:"))
        url += strlen ("mailto:");
      if (strlen (url) != label_len || strncmp (url, label, label_len) != 0)
        {
          int start = r->cur->n_chars;

          append (r, " (", 2);
          append_str (r, open.url);
          append (r, ")", 1);
          sink_add_span (r->cur, r->tags.dim, start, r->cur->n_chars);
        }
    }
  g_free (open.url);

  return r->over_budget ? 1 : 0;
}

static int
text_cb (MD_TEXTTYPE    type,
         const MD_CHAR *text,
         MD_SIZE        size,
         void          *user_data)
{
  Renderer *r = user_data;

  r->li_fresh = FALSE;

  switch (type)
    {
    case MD_TEXT_NULLCHAR:
      append (r, "\xef\xbf\xbd", 3);
      break;

    case MD_TEXT_BR:
    case MD_TEXT_SOFTBR:
      /* Models lay text out with single newlines; keep them, except where a line break
       * would break the layout (tables, headings) or at the start of a run (after a
       * display formula). */
      if (r->cur != &r->doc || r->heading > 0)
        append (r, " ", 1);
      else if (r->doc.text->len > 0 || r->doc.math->len > 0)
        append (r, "\n", 1);
      break;

    case MD_TEXT_ENTITY:
      append_entity (r, text, size);
      break;

    case MD_TEXT_NORMAL:
      append_prose (r, text, size);
      break;

    case MD_TEXT_CODE:
      if (r->in_code_block && r->code != NULL)
        {
          if (take_budget (r, size))
            ka_markdown_source_restore (r->source, r->code, text, size);
          break;
        }
      append_restored (r, text, size, FALSE);
      break;

    case MD_TEXT_HTML:
    case MD_TEXT_LATEXMATH:
    default:
      append_restored (r, text, size, FALSE);
      break;
    }

  return r->over_budget ? 1 : 0;
}

static int
compare_spans (gconstpointer a,
               gconstpointer b)
{
  const Span *x = a;
  const Span *y = b;

  if (x->tag != y->tag)
    return (guintptr) x->tag < (guintptr) y->tag ? -1 : 1;
  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  return 0;
}

/* Overlapping or touching ranges of one tag become one range (nested emphasis, nested
 * quotes, hundreds of list items at one depth): fewer toggles for GtkTextBuffer to keep. */
static void
merge_spans (GArray *spans)
{
  guint out = 0;

  if (spans->len < 2)
    return;

  g_array_sort (spans, compare_spans);
  for (guint i = 1; i < spans->len; i++)
    {
      Span *last = &g_array_index (spans, Span, out);
      Span *span = &g_array_index (spans, Span, i);

      if (span->tag == last->tag && span->start <= last->end)
        last->end = MAX (last->end, span->end);
      else
        g_array_index (spans, Span, ++out) = *span;
    }
  g_array_set_size (spans, out + 1);
}

static int
compare_span_starts (gconstpointer a,
                     gconstpointer b)
{
  const Span *x = a;
  const Span *y = b;

  return (x->start > y->start) - (x->start < y->start);
}

/* Each tag toggle on a line makes every later operation on that line slower, so a line
 * keeps at most KA_MD_MAX_SPANS_PER_LINE styled runs: `*[*[*[…` floods. (Of the 4,676
 * real answers in the test data only two degenerate ones have more than 16 on a line.) */
static void
limit_spans_per_line (GArray     *spans,
                      const char *text)
{
  const char *p = text;
  int offset = 0;
  int next_line = -1;       /* char offset where the line after the current one starts */
  guint on_line = 0;
  guint out = 0;

  g_array_sort (spans, compare_span_starts);
  for (guint i = 0; i < spans->len; i++)
    {
      Span *span = &g_array_index (spans, Span, i);

      if (next_line >= 0 && span->start < next_line)
        {
          if (++on_line > KA_MD_MAX_SPANS_PER_LINE)
            continue;
        }
      else
        {
          /* Find the line holding span->start and where the next one begins. */
          while (*p != '\0' && offset <= span->start)
            {
              const char *nl = strchr (p, '\n');
              int line_chars = g_utf8_strlen (p, nl != NULL ? nl - p : -1);

              if (offset + line_chars >= span->start)
                {
                  next_line = offset + line_chars + 1;
                  if (nl == NULL)
                    next_line = G_MAXINT;
                  offset = next_line;
                  p = nl != NULL ? nl + 1 : p + strlen (p);
                  break;
                }
              offset += line_chars + 1;
              p = nl != NULL ? nl + 1 : p + strlen (p);
            }
          on_line = 1;
        }

      g_array_index (spans, Span, out++) = *span;
    }
  g_array_set_size (spans, out);
}

/* Cuts @text (valid UTF-8) to at most @max bytes, at a line end near the limit if there
 * is one, else at a character boundary. */
static gsize
cut_length (const char *text,
            gsize       len,
            gsize       max)
{
  const char *cut;
  gsize cut_len;

  if (len <= max)
    return len;

  cut = g_utf8_find_prev_char (text, text + max + 1);
  if (cut == NULL)
    return 0;
  cut_len = cut - text;
  for (gsize i = cut_len; i > 0 && i + 4096 > cut_len; i--)
    if (text[i - 1] == '\n')
      return i;

  return cut_len;
}

/* Parses @markdown (untrusted bytes) into blocks. Returns the array (transfer full) and
 * keeps the prepared source alive in @source_out, which the blocks point into. */
static GPtrArray *
parse_blocks (GtkTextTagTable   *table,
              const char        *markdown,
              gssize             length,
              KaMarkdownSource **source_out)
{
  g_autofree char *clean = NULL;
  KaMarkdownSource *source;
  MD_PARSER parser = { 0, };
  Renderer r;
  gsize clean_len;
  gsize parse_len;
  gboolean truncated;
  GPtrArray *blocks;

  ka_markdown_ensure_tags (table);
  clean = ka_text_sanitize (markdown, markdown != NULL ? length : 0);
  clean_len = strlen (clean);
  parse_len = cut_length (clean, clean_len, KA_MD_MAX_INPUT_BYTES);
  truncated = (parse_len < clean_len);
  source = ka_markdown_source_new (clean, parse_len);

  /* Strikethrough stays on for "~~": single tildes never reach md4c (see
   * ka-markdown-source.c). Math spans stay off: math is found before md4c runs. */
  parser.flags = (MD_DIALECT_GITHUB | MD_FLAG_NOHTML);
  parser.enter_block = enter_block_cb;
  parser.leave_block = leave_block_cb;
  parser.enter_span = enter_span_cb;
  parser.leave_span = leave_span_cb;
  parser.text = text_cb;

  renderer_init (&r, table, source, source->length);
  if (md_parse (source->text, (MD_SIZE) source->length, &parser, &r) == -1)
    {
      /* md4c ran out of memory: show the text unparsed rather than nothing. */
      g_ptr_array_set_size (r.blocks, 0);
      g_string_truncate (r.doc.text, 0);
      g_array_set_size (r.doc.spans, 0);
      g_array_set_size (r.doc.math, 0);
      r.doc.n_chars = 0;
      r.out_bytes = 0;
      r.over_budget = FALSE;
      append (&r, clean, parse_len);
    }
  truncated |= r.over_budget;
  /* md4c may have stopped inside a table cell or a code block. */
  r.cur = &r.doc;
  g_clear_pointer (&r.containers, g_array_unref);
  r.containers = g_array_new (FALSE, FALSE, sizeof (Container));
  for (guint i = 0; i < r.open_spans->len; i++)
    g_clear_pointer (&g_array_index (r.open_spans, OpenSpan, i).url, g_free);
  g_array_set_size (r.open_spans, 0);
  r.heading = 0;

  if (truncated)
    {
      int start;

      flush_prose (&r);
      r.over_budget = FALSE;
      r.out_bytes = 0;
      start = r.doc.n_chars;
      /* Translators: shown after an answer that was too long to display completely. */
      append_str (&r, _("(truncated)"));
      sink_add_span (&r.doc, r.tags.note, start, r.doc.n_chars);
      sink_add_span (&r.doc, r.tags.dim, start, r.doc.n_chars);
    }
  flush_prose (&r);

  blocks = g_steal_pointer (&r.blocks);
  renderer_clear (&r);
  *source_out = source;

  return blocks;
}

static gboolean
is_hangul (gunichar c)
{
  return (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0x1100 && c <= 0x11FF)
      || (c >= 0x3130 && c <= 0x318F);
}

/* Korean wraps between words (CSS word-break: keep-all): Pango 1.50 breaks between any
 * two Hangul syllables, so every word (a run without white space) that holds Hangul gets
 * the "ka-keep-all" tag, whose allow-breaks=FALSE keeps it on one line. The text itself is
 * not touched, so copying and screen readers get exactly the model's characters. */
static void
add_keep_all_spans (Sink       *sink,
                    GtkTextTag *tag)
{
  const char *p = sink->text->str;
  int offset = 0;
  int word_start = -1;
  gboolean hangul = FALSE;

  for (;; p = g_utf8_next_char (p), offset++)
    {
      gunichar c = g_utf8_get_char (p);
      gboolean space = (c == 0 || g_unichar_isspace (c));

      if (space)
        {
          if (word_start >= 0 && hangul && offset - word_start > 1
              && offset - word_start <= KA_MD_MAX_KEEP_ALL)
            sink_add_span (sink, tag, word_start, offset);
          word_start = -1;
          hangul = FALSE;
          if (c == 0)
            break;
          continue;
        }
      if (word_start < 0)
        word_start = offset;
      hangul |= is_hangul (c);
    }
}

/* Inserts a prose run at @iter with its tags; inline formulas go through
 * ka_math_insert_inline() when @view is given, else as readable text. */
static void
insert_prose (GtkTextBuffer *buffer,
              GtkTextView   *view,
              GtkTextIter   *iter,
              Block         *block,
              GtkTextTag    *keep_all)
{
  Sink *sink = &block->sink;
  int base;
  int end_offset;

  merge_spans (sink->spans);
  limit_spans_per_line (sink->spans, sink->text->str);
  add_keep_all_spans (sink, keep_all);

  base = gtk_text_iter_get_offset (iter);
  gtk_text_buffer_insert (buffer, iter, sink->text->str, sink->text->len);
  end_offset = gtk_text_iter_get_offset (iter);

  for (guint i = 0; i < MIN (sink->spans->len, KA_MD_MAX_SPANS); i++)
    {
      Span *span = &g_array_index (sink->spans, Span, i);
      GtkTextIter start, end;
      int s = MIN (span->start, sink->n_chars);
      int e = MIN (span->end, sink->n_chars);

      if (e <= s)
        continue;
      gtk_text_buffer_get_iter_at_offset (buffer, &start, base + s);
      gtk_text_buffer_get_iter_at_offset (buffer, &end, base + e);
      gtk_text_buffer_apply_tag (buffer, span->tag, &start, &end);
    }

  /* Formulas from the last to the first, so the earlier offsets stay right. */
  for (guint i = sink->math->len; i > 0; i--)
    {
      InlineMath *m = &g_array_index (sink->math, InlineMath, i - 1);
      GtkTextIter at;
      int before = gtk_text_buffer_get_char_count (buffer);

      gtk_text_buffer_get_iter_at_offset (buffer, &at, base + MIN (m->offset, sink->n_chars));
      if (view != NULL)
        {
          ka_math_insert_inline (view, &at, m->math->tex, -1);
        }
      else
        {
          g_autofree char *text = ka_tex_to_text (m->math->tex, -1);

          gtk_text_buffer_insert (buffer, &at, text, -1);
        }
      end_offset += gtk_text_buffer_get_char_count (buffer) - before;
    }

  /* Applying tags and inserting formulas invalidate iterators. */
  gtk_text_buffer_get_iter_at_offset (buffer, iter, end_offset);
}

static KaMarkdownAlign
align_of (MD_ALIGN align)
{
  switch (align)
    {
    case MD_ALIGN_LEFT:
      return KA_MARKDOWN_ALIGN_LEFT;
    case MD_ALIGN_CENTER:
      return KA_MARKDOWN_ALIGN_CENTER;
    case MD_ALIGN_RIGHT:
      return KA_MARKDOWN_ALIGN_RIGHT;
    case MD_ALIGN_DEFAULT:
    default:
      return KA_MARKDOWN_ALIGN_DEFAULT;
    }
}

static guint
table_columns (GPtrArray *rows)
{
  guint n_columns = 0;

  for (guint i = 0; i < rows->len; i++)
    n_columns = MAX (n_columns, ((Row *) g_ptr_array_index (rows, i))->cells->len);

  return n_columns;
}

static GtkWidget *
table_widget (Block *block)
{
  GPtrArray *rows = block->rows;
  guint n_columns = table_columns (rows);
  guint n_header = 0;
  g_autofree const char **cells = NULL;
  g_autofree KaMarkdownAlign *align = NULL;

  cells = g_new0 (const char *, (gsize) rows->len * MAX (n_columns, 1));
  align = g_new0 (KaMarkdownAlign, MAX (n_columns, 1));
  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = g_ptr_array_index (rows, i);

      if (row->header && n_header == i)
        n_header++;
      for (guint c = 0; c < row->cells->len; c++)
        {
          Cell *cell = g_ptr_array_index (row->cells, c);

          g_strstrip (cell->sink.text->str);
          cells[i * n_columns + c] = cell->sink.text->str;
          if (i == 0)
            align[c] = align_of (cell->align);
        }
    }

  return ka_markdown_table_new (rows->len, n_columns, n_header,
                                (const char * const *) cells, align);
}

/*
 * ka_markdown_render:
 * @buffer: the buffer to insert into
 * @iter: where to insert; on return it points after the inserted text
 * @markdown: (nullable): untrusted Markdown, any bytes
 * @length: bytes in @markdown, or -1 if NUL-terminated
 *
 * The answer as one flat text (for tests, benchmarks and plain views): sanitized with
 * ka_text_sanitize(), prepared by ka_markdown_source_new(), parsed by md4c (GitHub dialect
 * without raw HTML) and inserted as plain text styled with the "ka-…" tags of the
 * buffer's tag table (created on first use). Tables become one line per row with a tab
 * between cells, code blocks their text with "ka-code-block", formulas ka_tex_to_text().
 * Blocks are separated by a blank line; leading and trailing blank lines are not inserted.
 * ka_markdown_render_blocks() is what the answer panes use.
 */
void
ka_markdown_render (GtkTextBuffer *buffer,
                    GtkTextIter   *iter,
                    const char    *markdown,
                    gssize         length)
{
  g_autoptr(GPtrArray) blocks = NULL;
  g_autoptr(KaMarkdownSource) source = NULL;
  GtkTextTagTable *table;
  Tags tags;

  g_return_if_fail (GTK_IS_TEXT_BUFFER (buffer));
  g_return_if_fail (iter != NULL);
  g_return_if_fail (gtk_text_iter_get_buffer (iter) == buffer);

  table = gtk_text_buffer_get_tag_table (buffer);
  blocks = parse_blocks (table, markdown, length, &source);
  lookup_tags (table, &tags);

  for (guint i = 0; i < blocks->len; i++)
    {
      Block *block = g_ptr_array_index (blocks, i);
      int start = gtk_text_iter_get_offset (iter);
      GtkTextIter a;

      if (i > 0)
        gtk_text_buffer_insert (buffer, iter, "\n\n", 2);
      start = gtk_text_iter_get_offset (iter);

      switch (block->kind)
        {
        case BLOCK_PROSE:
          insert_prose (buffer, NULL, iter, block, tags.keep_all);
          break;

        case BLOCK_CODE:
          gtk_text_buffer_insert (buffer, iter, block->text, -1);
          gtk_text_buffer_get_iter_at_offset (buffer, &a, start);
          gtk_text_buffer_apply_tag (buffer, tags.code_block, &a, iter);
          break;

        case BLOCK_MATH:
          {
            g_autofree char *text = ka_tex_to_text (block->text, -1);

            gtk_text_buffer_insert (buffer, iter, text, -1);
          }
          break;

        case BLOCK_TABLE:
          for (guint r = 0; r < block->rows->len; r++)
            {
              Row *row = g_ptr_array_index (block->rows, r);
              int row_start = gtk_text_iter_get_offset (iter);

              if (r > 0)
                gtk_text_buffer_insert (buffer, iter, "\n", 1);
              for (guint c = 0; c < row->cells->len; c++)
                {
                  Cell *cell = g_ptr_array_index (row->cells, c);

                  if (c > 0)
                    gtk_text_buffer_insert (buffer, iter, "\t", 1);
                  g_strstrip (cell->sink.text->str);
                  gtk_text_buffer_insert (buffer, iter, cell->sink.text->str, -1);
                }
              if (row->header)
                {
                  gtk_text_buffer_get_iter_at_offset (buffer, &a, row_start);
                  gtk_text_buffer_apply_tag (buffer, tags.table_header, &a, iter);
                }
            }
          break;

        default:
          break;
        }
    }
}

static gboolean
is_prose_view (GtkWidget *widget)
{
  return GTK_IS_TEXT_VIEW (widget) && gtk_widget_has_css_class (widget, "ka-prose");
}

/**
 * ka_markdown_append_prose_view:
 * @box: a vertical box of answer blocks
 *
 * Returns: (transfer none): the last child of @box when it is a prose view, else a new
 *   prose view appended to @box: read-only, wrapping, selectable, with the tag table, the
 *   margins and the accessible name of the first prose view in @box.
 */
GtkTextView *
ka_markdown_append_prose_view (GtkBox *box)
{
  GtkWidget *last = gtk_widget_get_last_child (GTK_WIDGET (box));
  GtkWidget *first = NULL;
  g_autoptr(GtkTextBuffer) buffer = NULL;
  GtkWidget *view;

  if (last != NULL && is_prose_view (last))
    return GTK_TEXT_VIEW (last);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (box)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (is_prose_view (child))
      {
        first = child;
        break;
      }

  buffer = gtk_text_buffer_new (first != NULL
                                ? gtk_text_buffer_get_tag_table (gtk_text_view_get_buffer (GTK_TEXT_VIEW (first)))
                                : NULL);
  ka_markdown_ensure_tags (gtk_text_buffer_get_tag_table (buffer));
  view = gtk_text_view_new_with_buffer (buffer);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_cursor_visible (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (view, "ka-prose");
  if (first != NULL)
    {
      GtkTextView *model = GTK_TEXT_VIEW (first);

      gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), gtk_text_view_get_wrap_mode (model));
      gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), gtk_text_view_get_left_margin (model));
      gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), gtk_text_view_get_right_margin (model));
      gtk_text_view_set_pixels_below_lines (GTK_TEXT_VIEW (view),
                                            gtk_text_view_get_pixels_below_lines (model));
      gtk_text_view_set_pixels_inside_wrap (GTK_TEXT_VIEW (view),
                                            gtk_text_view_get_pixels_inside_wrap (model));
      gtk_widget_add_css_class (view, "ka-response-text");
    }
  gtk_box_append (box, view);

  return GTK_TEXT_VIEW (view);
}

static GtkWidget *
math_block (const char *tex)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *math = ka_math_view_new (tex, TRUE);

  gtk_widget_set_halign (math, GTK_ALIGN_CENTER);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller),
                                  GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), math);
  gtk_widget_add_css_class (scroller, "ka-math-display");

  return scroller;
}

/**
 * ka_markdown_render_blocks:
 * @box: a vertical GtkBox of answer blocks
 * @markdown: (nullable): untrusted Markdown, any bytes
 * @length: bytes in @markdown, or -1 if NUL-terminated
 *
 * Appends the answer to @box as a sequence of blocks: prose in read-only GtkTextViews
 * (continuing @box's last one when it is a prose view), tables as grids
 * (ka_markdown_table_new()), code in GtkSourceViews (ka_code_view_new()), display math in
 * KaMathViews; inline math through ka_math_insert_inline(). Blocks inside lists and quotes
 * are indented like their text. Nothing is parsed as markup.
 */
void
ka_markdown_render_blocks (GtkBox     *box,
                           const char *markdown,
                           gssize      length)
{
  g_autoptr(GPtrArray) blocks = NULL;
  g_autoptr(KaMarkdownSource) source = NULL;
  GtkTextView *first;
  GtkTextTagTable *table;
  Tags tags;

  g_return_if_fail (GTK_IS_BOX (box));

  first = ka_markdown_append_prose_view (box);
  table = gtk_text_buffer_get_tag_table (gtk_text_view_get_buffer (first));
  blocks = parse_blocks (table, markdown, length, &source);
  lookup_tags (table, &tags);

  for (guint i = 0; i < blocks->len; i++)
    {
      Block *block = g_ptr_array_index (blocks, i);
      GtkWidget *widget = NULL;

      switch (block->kind)
        {
        case BLOCK_PROSE:
          {
            GtkTextView *view = ka_markdown_append_prose_view (box);
            GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
            GtkTextIter iter;

            gtk_text_buffer_get_end_iter (buffer, &iter);
            if (gtk_text_buffer_get_char_count (buffer) > 0)
              {
                GtkTextIter last = iter;

                gtk_text_iter_backward_char (&last);
                if (gtk_text_iter_get_char (&last) != '\n')
                  gtk_text_buffer_insert (buffer, &iter, "\n\n", 2);
              }
            insert_prose (buffer, view, &iter, block, tags.keep_all);
          }
          continue;

        case BLOCK_CODE:
          widget = ka_code_view_new (block->text, block->language);
          break;

        case BLOCK_MATH:
          widget = math_block (block->text);
          break;

        case BLOCK_TABLE:
          widget = table_widget (block);
          break;

        default:
          continue;
        }

      gtk_widget_set_margin_start (widget, 12 + KA_MD_INDENT_PX * MIN (block->level, KA_MD_MAX_INDENT));
      gtk_widget_set_margin_end (widget, 12);
      gtk_box_append (box, widget);
    }
}

/**
 * ka_markdown_dup_block_text:
 * @block: a child of a box filled by ka_markdown_render_blocks()
 *
 * Returns: (transfer full): the block's text as a reader gets it: a prose view's text
 *   with each inline formula as ka_tex_to_text(), a code block's code, a table's cells
 *   (ka_markdown_table_dup_text()), a display formula's readable text
 */
char *
ka_markdown_dup_block_text (GtkWidget *block)
{
  if (GTK_IS_TEXT_VIEW (block))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (block));
      GString *out = g_string_new (NULL);
      GtkTextIter iter, end;

      gtk_text_buffer_get_bounds (buffer, &iter, &end);
      while (!gtk_text_iter_equal (&iter, &end))
        {
          GtkTextIter next = iter;
          GtkTextChildAnchor *anchor = gtk_text_iter_get_child_anchor (&iter);

          if (anchor != NULL)
            {
              guint n_widgets = 0;
              g_autofree GtkWidget **widgets = gtk_text_child_anchor_get_widgets (anchor, &n_widgets);

              for (guint i = 0; i < n_widgets; i++)
                if (KA_IS_MATH_VIEW (widgets[i]))
                  {
                    g_autofree char *text = ka_tex_to_text (ka_math_view_get_tex (KA_MATH_VIEW (widgets[i])), -1);

                    g_string_append (out, text);
                  }
              gtk_text_iter_forward_char (&next);
            }
          else
            {
              g_autofree char *text = NULL;

              if (!gtk_text_iter_forward_to_tag_toggle (&next, NULL))
                next = end;
              /* Stop at the next anchor too. */
              for (GtkTextIter probe = iter; gtk_text_iter_compare (&probe, &next) < 0;
                   gtk_text_iter_forward_char (&probe))
                if (gtk_text_iter_get_child_anchor (&probe) != NULL)
                  {
                    next = probe;
                    break;
                  }
              text = gtk_text_buffer_get_text (buffer, &iter, &next, TRUE);
              g_string_append (out, text);
            }
          iter = next;
        }

      return g_string_free (out, FALSE);
    }

  if (GTK_IS_SCROLLED_WINDOW (block) && gtk_widget_has_css_class (block, "ka-table"))
    return ka_markdown_table_dup_text (block);

  if (GTK_IS_SCROLLED_WINDOW (block) && gtk_widget_has_css_class (block, "ka-code"))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (ka_code_view_get_view (block));
      GtkTextIter start, end;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
    }

  if (GTK_IS_SCROLLED_WINDOW (block) && gtk_widget_has_css_class (block, "ka-math-display"))
    {
      GtkWidget *child = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (block));

      if (GTK_IS_VIEWPORT (child))
        child = gtk_viewport_get_child (GTK_VIEWPORT (child));
      if (KA_IS_MATH_VIEW (child))
        return ka_tex_to_text (ka_math_view_get_tex (KA_MATH_VIEW (child)), -1);
    }

  return g_strdup ("");
}
