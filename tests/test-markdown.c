/* test-markdown.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-markdown"

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <gtk/gtk.h>

#include "ka-markdown.h"
#include "ka-tex.h"

/* ---- helpers ---------------------------------------------------------------------- */

static GtkTextBuffer *
render (const char *markdown,
        gssize      length)
{
  GtkTextBuffer *buffer = gtk_text_buffer_new (NULL);
  GtkTextIter iter;

  gtk_text_buffer_get_end_iter (buffer, &iter);
  ka_markdown_render (buffer, &iter, markdown, length);

  return buffer;
}

static char *
buffer_text (GtkTextBuffer *buffer)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

static char *
render_text (const char *markdown)
{
  g_autoptr(GtkTextBuffer) buffer = render (markdown, -1);

  return buffer_text (buffer);
}

/* Whether every character of the first occurrence of @needle (after @skip earlier ones)
 * carries the tag @tag_name. */
static gboolean
needle_has_tag (GtkTextBuffer *buffer,
                const char    *needle,
                guint          skip,
                const char    *tag_name)
{
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), tag_name);
  GtkTextIter iter, match_start, match_end;

  g_assert_nonnull (tag);
  gtk_text_buffer_get_start_iter (buffer, &iter);
  for (guint i = 0; ; i++)
    {
      if (!gtk_text_iter_forward_search (&iter, needle, GTK_TEXT_SEARCH_TEXT_ONLY, &match_start,
                                         &match_end, NULL))
        g_error ("“%s” not found in the buffer", needle);
      if (i == skip)
        break;
      iter = match_end;
    }

  for (iter = match_start; !gtk_text_iter_equal (&iter, &match_end);
       gtk_text_iter_forward_char (&iter))
    if (!gtk_text_iter_has_tag (&iter, tag))
      return FALSE;

  return TRUE;
}

static gboolean
needle_has_any_tag (GtkTextBuffer *buffer,
                    const char    *needle)
{
  GtkTextIter start, match_start, match_end;

  gtk_text_buffer_get_start_iter (buffer, &start);
  g_assert_true (gtk_text_iter_forward_search (&start, needle, GTK_TEXT_SEARCH_TEXT_ONLY,
                                               &match_start, &match_end, NULL));
  for (GtkTextIter iter = match_start; !gtk_text_iter_equal (&iter, &match_end);
       gtk_text_iter_forward_char (&iter))
    {
      GSList *tags = gtk_text_iter_get_tags (&iter);

      if (tags != NULL)
        {
          g_slist_free (tags);
          return TRUE;
        }
    }

  return FALSE;
}

static gboolean
contains_char (const char *text,
               gunichar    c)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_utf8_get_char (p) == c)
      return TRUE;
  return FALSE;
}

/* ---- ka_text_sanitize ------------------------------------------------------------- */

static void
test_sanitize_bytes (void)
{
  static const char input[] = "a\0b\xff" "c\xc3(d\r\ne\rf\x01g\x7fh\tI\xc2\x85J\xed\xa0\x80K";
  g_autofree char *out = ka_text_sanitize (input, sizeof input - 1);
  g_autofree char *from_null = ka_text_sanitize (NULL, -1);
  g_autofree char *bom = ka_text_sanitize ("\xef\xbb\xbfhi\xef\xbb\xbf", -1);

  g_assert_true (g_utf8_validate (out, -1, NULL));
  /* NUL dropped; invalid bytes (0xFF, truncated sequence, encoded surrogate) become
   * U+FFFD; CR LF and CR become LF; C0, DEL and C1 controls dropped; tab kept. */
  g_assert_cmpstr (out, ==,
                   "ab\xef\xbf\xbd" "c\xef\xbf\xbd(d\ne\nfgh\tIJ"
                   "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdK");
  g_assert_cmpstr (from_null, ==, "");
  /* A leading byte-order mark is an encoding artefact; another one is marked. */
  g_assert_cmpstr (bom, ==, "hi⟨U+FEFF⟩");
}

static void
test_sanitize_invisible (void)
{
  static const gunichar marked[] = {
    0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
    0x200B, 0x2060, 0xFEFF, 0x200E, 0x200F, 0x061C, 0x00AD, 0x2061, 0x2062, 0x2063, 0x2064,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (marked); i++)
    {
      char utf8[8] = { 0, };
      g_autofree char *input = NULL;
      g_autofree char *out = NULL;
      g_autofree char *marker = g_strdup_printf ("⟨U+%04X⟩", marked[i]);

      g_unichar_to_utf8 (marked[i], utf8);
      input = g_strconcat ("x", utf8, "y", NULL);
      out = ka_text_sanitize (input, -1);
      g_assert_false (contains_char (out, marked[i]));
      g_assert_nonnull (strstr (out, marker));
      g_assert_true (g_str_has_prefix (out, "x"));
      g_assert_true (g_str_has_suffix (out, "y"));
    }

  /* Trojan-source style: the override is shown, not obeyed. */
  {
    g_autofree char *out = ka_text_sanitize ("access \u202Eresu\u2066 level", -1);

    g_assert_cmpstr (out, ==, "access ⟨U+202E⟩resu⟨U+2066⟩ level");
  }

  /* A soft hyphen or an invisible operator inside a name cannot hide in it. */
  {
    g_autofree char *out = ka_text_sanitize ("Cl\u00ADaude, G\u2062PT", -1);

    g_assert_cmpstr (out, ==, "Cl⟨U+00AD⟩aude, G⟨U+2062⟩PT");
  }

  /* ZWJ and ZWNJ stay: emoji sequences and scripts need them. */
  {
    static const char *kept[] = {
      "👨\u200D👩\u200D👧\u200D👦",       /* family */
      "🏳\uFE0F\u200D🌈",                  /* rainbow flag */
      "می\u200Cخواهم",                     /* Persian with ZWNJ */
      "क्\u200Dष",                          /* Devanagari with ZWJ */
      "1\uFE0F\u20E3",                      /* keycap */
      "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", /* England */
      "한국어 텍스트는 그대로, café, naïve, Tiếng Việt",
    };

    for (gsize i = 0; i < G_N_ELEMENTS (kept); i++)
      {
        g_autofree char *out = ka_text_sanitize (kept[i], -1);

        g_assert_cmpstr (out, ==, kept[i]);
      }
  }

  /* Tag characters outside an emoji flag sequence (ASCII smuggling) are shown. */
  {
    g_autofree char *out = ka_text_sanitize ("ok\U000E0041\U000E0042", -1);

    g_assert_cmpstr (out, ==, "ok⟨U+E0041⟩⟨U+E0042⟩");
  }
}

static void
test_sanitize_zalgo (void)
{
  GString *zalgo = g_string_new (NULL);
  g_autofree char *out = NULL;
  g_autofree char *decomposed = NULL;
  g_autofree char *joiners = NULL;
  glong n_chars;

  for (int base = 0; base < 100; base++)
    {
      g_string_append_c (zalgo, 'a' + base % 26);
      for (int k = 0; k < 60; k++)
        g_string_append_unichar (zalgo, 0x0300 + (k % 0x70));
    }

  out = ka_text_sanitize (zalgo->str, zalgo->len);
  n_chars = g_utf8_strlen (out, -1);
  /* 100 bases, at most a few marks each. */
  g_assert_cmpint (n_chars, >=, 100 * 2);
  g_assert_cmpint (n_chars, <=, 100 * 5);

  /* Ordinary decomposed accents are untouched. */
  decomposed = ka_text_sanitize ("e\u0301\u0302 o\u0308", -1);
  g_assert_cmpstr (decomposed, ==, "e\u0301\u0302 o\u0308");

  /* Joiners cannot restart a run of marks. */
  {
    GString *trick = g_string_new ("a");

    for (int k = 0; k < 50; k++)
      {
        g_string_append_unichar (trick, 0x0301);
        g_string_append_unichar (trick, 0x200D);
      }
    joiners = ka_text_sanitize (trick->str, trick->len);
    g_assert_cmpint (g_utf8_strlen (joiners, -1), <=, 1 + 4 + 2);
    g_string_free (trick, TRUE);
  }

  g_string_free (zalgo, TRUE);
}

/* ---- Markdown constructs ---------------------------------------------------------- */

static void
test_headings (void)
{
  g_autoptr(GtkTextBuffer) buffer = render ("# One\n\n## Two\n### Three\n#### Four\n##### Five\n"
                                            "###### Six\n\nBody *text*", -1);
  g_autofree char *text = buffer_text (buffer);
  static const char *names[] = { "One", "Two", "Three", "Four", "Five", "Six" };

  g_assert_cmpstr (text, ==, "One\n\nTwo\n\nThree\n\nFour\n\nFive\n\nSix\n\nBody text");
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *tag = g_strdup_printf ("ka-h%u", i + 1);
      g_autofree char *other = g_strdup_printf ("ka-h%u", (i + 1) % 6 + 1);
      GtkTextTag *t = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), tag);
      int weight;
      double scale;

      g_assert_true (needle_has_tag (buffer, names[i], 0, tag));
      g_assert_false (needle_has_tag (buffer, names[i], 0, other));
      g_object_get (t, "weight", &weight, "scale", &scale, NULL);
      g_assert_cmpint (weight, ==, PANGO_WEIGHT_BOLD);
      if (i < 3)
        g_assert_cmpfloat (scale, >, 1.0);
    }
  g_assert_false (needle_has_tag (buffer, "Body", 0, "ka-h6"));
  g_assert_true (needle_has_tag (buffer, "text", 0, "ka-italic"));
}

static void
test_emphasis (void)
{
  g_autoptr(GtkTextBuffer) buffer =
    render ("plain **bold** *it* ~~gone~~ `code()` ***both***", -1);
  g_autofree char *text = buffer_text (buffer);

  g_assert_cmpstr (text, ==, "plain bold it gone code() both");
  g_assert_false (needle_has_any_tag (buffer, "plain"));
  g_assert_true (needle_has_tag (buffer, "bold", 0, "ka-bold"));
  g_assert_false (needle_has_tag (buffer, "bold", 0, "ka-italic"));
  g_assert_true (needle_has_tag (buffer, "it", 0, "ka-italic"));
  g_assert_true (needle_has_tag (buffer, "gone", 0, "ka-strike"));
  g_assert_true (needle_has_tag (buffer, "code()", 0, "ka-code"));
  g_assert_true (needle_has_tag (buffer, "both", 0, "ka-bold"));
  g_assert_true (needle_has_tag (buffer, "both", 0, "ka-italic"));
}

static void
test_code_block (void)
{
  g_autoptr(GtkTextBuffer) buffer =
    render ("Intro\n\n```python\nif a < b and c > d:\n    print(\"<b>&amp;</b>\")\n```\n\n"
            "After", -1);
  g_autofree char *text = buffer_text (buffer);
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer),
                                               "ka-code-block");
  g_autofree char *family = NULL;
  gboolean bg_set;

  g_assert_cmpstr (text, ==,
                   "Intro\n\nif a < b and c > d:\n    print(\"<b>&amp;</b>\")\n\nAfter");
  g_assert_true (needle_has_tag (buffer, "if a < b and c > d:", 0, "ka-code-block"));
  g_assert_true (needle_has_tag (buffer, "    print(\"<b>&amp;</b>\")", 0, "ka-code-block"));
  g_assert_false (needle_has_tag (buffer, "After", 0, "ka-code-block"));
  g_assert_false (needle_has_tag (buffer, "Intro", 0, "ka-code-block"));

  g_object_get (tag, "family", &family, "paragraph-background-set", &bg_set, NULL);
  g_assert_nonnull (strstr (family, "monospace"));
  g_assert_true (bg_set);

  /* Empty code lines stay empty: code is shown as written (a GtkSourceView in the panes). */
  {
    g_autofree char *gap = render_text ("```\na = 1\n\n\nb = 2\n```");

    g_assert_cmpstr (gap, ==, "a = 1\n\n\nb = 2");
  }

  /* Indented code blocks too. */
  {
    g_autofree char *indented = render_text ("Text\n\n    x = 1\n    y = 2\n");

    g_assert_cmpstr (indented, ==, "Text\n\nx = 1\ny = 2");
  }
}

static void
test_lists (void)
{
  g_autoptr(GtkTextBuffer) buffer =
    render ("- alpha\n  - beta\n    - gamma\n- delta\n\n1. one\n2. two\n   1. two-a\n\n"
            "7) seven\n8) eight\n\n- [ ] todo\n- [x] done\n", -1);
  g_autofree char *text = buffer_text (buffer);

  g_assert_cmpstr (text, ==,
                   "• alpha\n◦ beta\n▪ gamma\n• delta\n\n"
                   "1. one\n2. two\n1. two-a\n\n"
                   "7) seven\n8) eight\n\n"
                   "• ☐ todo\n• ☑ done");
  /* Nesting is indentation (left margin), deeper levels further in. */
  g_assert_true (needle_has_tag (buffer, "alpha", 0, "ka-indent-1"));
  g_assert_false (needle_has_tag (buffer, "alpha", 0, "ka-indent-2"));
  g_assert_true (needle_has_tag (buffer, "beta", 0, "ka-indent-2"));
  g_assert_false (needle_has_tag (buffer, "beta", 0, "ka-indent-3"));
  g_assert_true (needle_has_tag (buffer, "gamma", 0, "ka-indent-3"));
  g_assert_true (needle_has_tag (buffer, "delta", 0, "ka-indent-1"));
  g_assert_false (needle_has_tag (buffer, "delta", 0, "ka-indent-2"));
  g_assert_true (needle_has_tag (buffer, "two-a", 0, "ka-indent-2"));

  {
    GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buffer);
    int m1, m2, m3;

    g_object_get (gtk_text_tag_table_lookup (table, "ka-indent-1"), "left-margin", &m1, NULL);
    g_object_get (gtk_text_tag_table_lookup (table, "ka-indent-2"), "left-margin", &m2, NULL);
    g_object_get (gtk_text_tag_table_lookup (table, "ka-indent-3"), "left-margin", &m3, NULL);
    g_assert_cmpint (m1, >, 0);
    g_assert_cmpint (m2, >, m1);
    g_assert_cmpint (m3, >, m2);
    /* The deeper tag must win where they overlap. */
    g_assert_cmpint (gtk_text_tag_get_priority (gtk_text_tag_table_lookup (table, "ka-indent-3")),
                     >,
                     gtk_text_tag_get_priority (gtk_text_tag_table_lookup (table, "ka-indent-2")));
  }

  /* A loose list keeps blank lines between items. */
  {
    g_autofree char *loose = render_text ("- a\n\n- b\n\n  second paragraph\n");

    g_assert_cmpstr (loose, ==, "• a\n\n• b\n\nsecond paragraph");
  }
}

static void
test_quote_and_rule (void)
{
  g_autoptr(GtkTextBuffer) buffer = render ("> quoted **words**\n> > deeper\n\n---\n\nafter", -1);
  g_autofree char *text = buffer_text (buffer);

  g_assert_cmpstr (text, ==, "quoted words\n\ndeeper\n\n────────────────────\n\nafter");
  g_assert_true (needle_has_tag (buffer, "quoted", 0, "ka-quote"));
  g_assert_true (needle_has_tag (buffer, "quoted", 0, "ka-indent-1"));
  g_assert_true (needle_has_tag (buffer, "words", 0, "ka-bold"));
  g_assert_true (needle_has_tag (buffer, "deeper", 0, "ka-indent-2"));
  g_assert_false (needle_has_any_tag (buffer, "after"));
  g_assert_true (needle_has_tag (buffer, "──", 0, "ka-dim"));
}

static void
test_table_korean (void)
{
  g_autoptr(GtkTextBuffer) buffer =
    render ("표:\n\n| 이름 | 나이 | 도시 |\n|:--|--:|:-:|\n| 김철수 | 30 | 서울특별시 |\n"
            "| Bob | 7 | **NYC** |\n\n끝", -1);
  g_autofree char *text = buffer_text (buffer);

  /* In flat text a table is one line per row, a tab between cells, no padding and no
   * pipes: the panes show a grid (test-render). The header row is bold. */
  g_assert_cmpstr (text, ==,
                   "표:\n\n"
                   "이름\t나이\t도시\n"
                   "김철수\t30\t서울특별시\n"
                   "Bob\t7\tNYC\n\n"
                   "끝");
  g_assert_true (needle_has_tag (buffer, "이름", 0, "ka-table-header"));
  g_assert_false (needle_has_tag (buffer, "김철수", 0, "ka-table-header"));
}

static void
test_links (void)
{
  g_autoptr(GtkTextBuffer) buffer =
    render ("See [the site](https://example.com/a?b=1&amp;c=2 \"title\"), "
            "https://auto.example.org/x, <https://angle.example> and "
            "[click](javascript:alert(1)). ![logo](https://img.example/l.png)", -1);
  g_autofree char *text = buffer_text (buffer);
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buffer);

  g_assert_cmpstr (text, ==,
                   "See the site (https://example.com/a?b=1&c=2), "
                   "https://auto.example.org/x, https://angle.example and "
                   "click (javascript:alert(1)). logo (https://img.example/l.png)");
  g_assert_true (needle_has_tag (buffer, "the site", 0, "ka-link"));
  g_assert_true (needle_has_tag (buffer, "https://auto.example.org/x", 0, "ka-link"));
  g_assert_true (needle_has_tag (buffer, "(https://example.com/a?b=1&c=2)", 0, "ka-dim"));
  g_assert_true (needle_has_tag (buffer, "click", 0, "ka-link"));

  /* A link is only a look: underline and colour, no child anchors or widgets. */
  {
    GtkTextTag *link = gtk_text_tag_table_lookup (table, "ka-link");
    PangoUnderline underline;
    gboolean fg_set;
    GtkTextIter iter;

    g_object_get (link, "underline", &underline, "foreground-set", &fg_set, NULL);
    g_assert_cmpint (underline, ==, PANGO_UNDERLINE_SINGLE);
    g_assert_true (fg_set);

    for (gtk_text_buffer_get_start_iter (buffer, &iter); !gtk_text_iter_is_end (&iter);
         gtk_text_iter_forward_char (&iter))
      g_assert_null (gtk_text_iter_get_child_anchor (&iter));
  }
}

static void
test_markup_literal (void)
{
  static const struct
  {
    const char *input;
    const char *expected;
  } cases[] = {
    { "<span size=\"99999\">big</span>", "<span size=\"99999\">big</span>" },
    { "<b>x</b>", "<b>x</b>" },
    { "AT & T", "AT & T" },
    { "unbalanced <i>italic", "unbalanced <i>italic" },
    { "<i>", "<i>" },
    { "</span></span></b>", "</span></span></b>" },
    { "<div>\n<script>alert(1)</script>\n</div>", "<div>\n<script>alert(1)</script>\n</div>" },
    { "<!-- hidden comment -->", "<!-- hidden comment -->" },
    { "`&amp;` in code", "&amp; in code" },
    { "```\n&amp; <b>\n```", "&amp; <b>" },
    /* Entities are decoded once, as CommonMark says, and never a second time. */
    { "&amp;amp; &amp;lt;b&amp;gt;", "&amp; &lt;b&gt;" },
    { "&lt;b&gt;not bold&lt;/b&gt;", "<b>not bold</b>" },
    { "<span foreground=\"red\">&#x3C;</span>", "<span foreground=\"red\"><</span>" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GtkTextBuffer) buffer = render (cases[i].input, -1);
      g_autofree char *text = buffer_text (buffer);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }

  /* And the injected markup did not style anything. */
  {
    g_autoptr(GtkTextBuffer) buffer =
      render ("<b>x</b> <i>y</i> <span size=\"99999\">big</span>", -1);

    g_assert_false (needle_has_any_tag (buffer, "x"));
    g_assert_false (needle_has_any_tag (buffer, "y"));
    g_assert_false (needle_has_any_tag (buffer, "big"));
  }
}

static void
test_entities (void)
{
  g_autofree char *text =
    render_text ("&copy; &#44032; &#x1F600; &bogus; &#0; &#xD800; &#x110000; &nbsp;| &#x202E;x");

  g_assert_cmpstr (text, ==,
                   "© 가 😀 &bogus; \xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd \xc2\xa0| ⟨U+202E⟩x");
}

static void
test_cjk_emphasis_and_tildes (void)
{
  /* Emphasis closes next to Hangul as a Korean reader expects (ka-markdown-source.c), and
   * a single tilde is text: only "~~" strikes through. */
  static const struct
  {
    const char *input;
    const char *expected;
    const char *bold;       /* (nullable): a part that must be bold */
  } cases[] = {
    { "**State Corporation Commission (SCC)**에", "State Corporation Commission (SCC)에", "(SCC)" },
    { "이것은**\"인용\"**입니다", "이것은\"인용\"입니다", "\"인용\"" },
    { "(**강조**)와 \"**강조**\"", "(강조)와 \"강조\"", "강조" },
    { "**한국어**.", "한국어.", "한국어" },
    { "**SCC(위원회)**를 보세요", "SCC(위원회)를 보세요", "SCC(위원회)" },
    { "6~8시간, 점진적으로 10~12시간", "6~8시간, 점진적으로 10~12시간", NULL },
    { "~a~ and ~~b~~ and ~~~c", "~a~ and b and ~~~c", NULL },
    { "`~x~` and [l](https://x.example/~u)", "~x~ and l (https://x.example/~u)", NULL },
    { "a\u2E31b **c**\u2E31", "a\u2E31b c\u2E31", "c" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GtkTextBuffer) buffer = render (cases[i].input, -1);
      g_autofree char *text = buffer_text (buffer);

      g_assert_cmpstr (text, ==, cases[i].expected);
      if (cases[i].bold != NULL)
        g_assert_true (needle_has_tag (buffer, cases[i].bold, 0, "ka-bold"));
      else
        g_assert_false (needle_has_tag (buffer, cases[i].expected, 0, "ka-strike"));
    }

  /* The renderer's markers cannot be smuggled in: they are shown as markers. */
  {
    g_autofree char *text = render_text ("a\xef\xb7\x90" "b\xef\xb7\x92\xef\xb7\xa0\xef\xb7\x94");

    g_assert_cmpstr (text, ==, "a⟨U+FDD0⟩b⟨U+FDD2⟩⟨U+FDE0⟩⟨U+FDD4⟩");
  }
}

static void
test_latex_literal (void)
{
  /* Every delimiter real answers use; in flat text a formula is ka_tex_to_text() of its
   * TeX (put where "%s" is), never its Markdown-mangled source. Display math is its own
   * block; "$" that is money stays prose. */
  static const struct
  {
    const char *input;
    const char *tex;
    const char *expected;
  } cases[] = {
    { "Euler: \\( e^{i\\pi} + 1 = 0 \\)", "e^{i\\pi} + 1 = 0", "Euler: %s" },
    { "\\[\ne^x = \\sum_{n=0}^{\\infty} \\frac{x^n}{n!}\n\\]",
      "e^x = \\sum_{n=0}^{\\infty} \\frac{x^n}{n!}", "%s" },
    { "set \\( \\{ a, b \\} \\)", "\\{ a, b \\}", "set %s" },
    { "inline $x_1 * y_2 * z$ and more", "x_1 * y_2 * z", "inline %s and more" },
    { "before\n$$a \\\\ b$$\nafter", "a \\\\ b", "before\n\n%s\n\nafter" },
    { "1. **Leibniz**:  \n   \\[\n   \\pi = 4 \\left( 1 - \\frac{1}{3} \\right)\n   \\]\n   이 공식",
      "\\pi = 4 \\left( 1 - \\frac{1}{3} \\right)", "1. Leibniz:\n\n%s\n\n이 공식" },
    { "\\( K_{sp} \\)에서 **굵게**", "K_{sp}", "%s에서 굵게" },
    { "| 식 | 값 |\n|---|---|\n| $|x|$ | 1 |", "|x|", "식\t값\n%s\t1" },
    { "costs $5 and $10", NULL, "costs $5 and $10" },
    { "from $5-$10 a day", NULL, "from $5-$10 a day" },
    { "US$5 or $ 6 $", NULL, "US$5 or $ 6 $" },
    { "\\[주의\\] 한국어는 수식이 아님", NULL, "[주의] 한국어는 수식이 아님" },
    { "an escaped \\\\( backslash", NULL, "an escaped \\( backslash" },
    { "not math: \\*literal stars\\*", NULL, "not math: *literal stars*" },
    { "`\\( code \\)` and ```$x$```", NULL, "\\( code \\) and $x$" },
    { "```\n\\[ x \\] $y$ ~z\n```", NULL, "\\[ x \\] $y$ ~z" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = render_text (cases[i].input);
      g_autofree char *tex = cases[i].tex != NULL ? ka_tex_to_text (cases[i].tex, -1) : NULL;
      g_auto(GStrv) parts = g_strsplit (cases[i].expected, "%s", 2);
      g_autofree char *expected = g_strjoinv (tex != NULL ? tex : "", parts);

      g_assert_cmpstr (text, ==, expected);
    }
}

static void
test_insert_position (void)
{
  g_autoptr(GtkTextBuffer) buffer = gtk_text_buffer_new (NULL);
  GtkTextIter iter;
  g_autofree char *text = NULL;
  guint n_tags;

  gtk_text_buffer_set_text (buffer, "[before][after]", -1);
  gtk_text_buffer_get_iter_at_offset (buffer, &iter, 8);
  ka_markdown_render (buffer, &iter, "**x** y\n\n", -1);
  g_assert_cmpint (gtk_text_iter_get_offset (&iter), ==, 8 + 3);
  gtk_text_buffer_insert (buffer, &iter, "|", 1);
  text = buffer_text (buffer);
  g_assert_cmpstr (text, ==, "[before]x y|[after]");
  g_assert_true (needle_has_tag (buffer, "x", 0, "ka-bold"));
  g_assert_false (needle_has_any_tag (buffer, "[after]"));

  /* Tags are created once per table and looked up by name afterwards. */
  n_tags = gtk_text_tag_table_get_size (gtk_text_buffer_get_tag_table (buffer));
  gtk_text_buffer_get_end_iter (buffer, &iter);
  ka_markdown_render (buffer, &iter, "# h\n\n**b** `c`\n\n| a |\n|---|\n| b |\n", -1);
  g_assert_cmpuint (gtk_text_tag_table_get_size (gtk_text_buffer_get_tag_table (buffer)), ==,
                    n_tags);

  /* A table that already has one of our names keeps it (no duplicate-name critical). */
  {
    g_autoptr(GtkTextBuffer) other = gtk_text_buffer_new (NULL);
    GtkTextTag *mine = gtk_text_buffer_create_tag (other, "ka-bold", "underline",
                                                   PANGO_UNDERLINE_DOUBLE, NULL);

    gtk_text_buffer_get_end_iter (other, &iter);
    ka_markdown_render (other, &iter, "**b**", -1);
    g_assert_true (gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (other), "ka-bold")
                   == mine);
    g_assert_true (needle_has_tag (other, "b", 0, "ka-bold"));
  }
}

/* Colours must stay legible on the dark style too: the palette follows AdwStyleManager. */
static void
test_dark_palette (void)
{
  g_autoptr(GtkTextBuffer) buffer = render ("[link](https://example.com)\n\n> quote", -1);
  GtkTextTagTable *table = gtk_text_buffer_get_tag_table (buffer);
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GdkRGBA *light = NULL;
  GdkRGBA *dark = NULL;
  GdkRGBA *quote = NULL;

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  g_object_get (gtk_text_tag_table_lookup (table, "ka-link"), "foreground-rgba", &light, NULL);
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (manager));
  g_object_get (gtk_text_tag_table_lookup (table, "ka-link"), "foreground-rgba", &dark, NULL);
  g_object_get (gtk_text_tag_table_lookup (table, "ka-quote"), "foreground-rgba", &quote, NULL);

  /* Lighter text on the dark background. */
  g_assert_cmpfloat (dark->red + dark->green + dark->blue, >, light->red + light->green + light->blue);
  g_assert_cmpfloat (quote->red + quote->green + quote->blue, >, 1.5);

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
  gdk_rgba_free (light);
  gdk_rgba_free (dark);
  gdk_rgba_free (quote);
}

/* ---- hostile input ---------------------------------------------------------------- */

static void
assert_sane_render (const char *input,
                    gssize      length,
                    gboolean    expect_truncated)
{
  g_autoptr(GtkTextBuffer) buffer = render (input, length);
  g_autofree char *text = buffer_text (buffer);

  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_false (contains_char (text, 0x202E));
  g_assert_false (contains_char (text, 0x200B));
  /* The per-turn cap keeps the buffer bounded whatever comes in. */
  g_assert_cmpuint (strlen (text), <=, 450 * 1024);
  if (expect_truncated)
    g_assert_true (g_str_has_suffix (text, "(truncated)"));
  else
    g_assert_null (strstr (text, "(truncated)"));
}

static void
test_hostile_small (void)
{
  static const char binary[] = "ok\0\xff\xfe\x01\x02\x1b[31mred\x1b[0m\xc0\xaf\xe0\x80\xaf\0end";
  g_autoptr(GtkTextBuffer) buffer = render (binary, sizeof binary - 1);
  g_autofree char *text = buffer_text (buffer);

  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_true (g_str_has_prefix (text, "ok"));
  g_assert_true (g_str_has_suffix (text, "end"));
  g_assert_null (strchr (text, '\x1b'));

  assert_sane_render ("**bold \u202Eevil\u202C** and \u200Bzero\u2060width\uFEFF", -1, FALSE);
  assert_sane_render ("| a\u202E | b |\n|---|---|\n| \u200B | x |", -1, FALSE);
  assert_sane_render ("[\u202Etxt.exe](https://\u202Eexample.com)", -1, FALSE);
  assert_sane_render ("", 0, FALSE);
  assert_sane_render (NULL, -1, FALSE);
  assert_sane_render ("\n\n\n", -1, FALSE);
}

static void
test_hostile_zalgo (void)
{
  GString *s = g_string_new (NULL);

  for (int i = 0; i < 5000; i++)
    {
      g_string_append (s, i % 2 ? "글" : "Z");
      for (int k = 0; k < 40; k++)
        g_string_append_unichar (s, 0x0300 + (k * 7) % 0x70);
    }
  assert_sane_render (s->str, s->len, FALSE);
  g_string_free (s, TRUE);
}

static void
test_hostile_long_line (void)
{
  gsize len = 1024 * 1024;
  g_autofree char *line = g_malloc (len + 1);
  g_autoptr(GtkTextBuffer) buffer = NULL;
  g_autofree char *text = NULL;

  for (gsize i = 0; i < len; i++)
    line[i] = "abcdefghij *_`[<&"[i % 17];
  line[len] = '\0';
  assert_sane_render (line, len, TRUE);

  /* Korean without spaces: the cut must land on a character boundary. */
  {
    GString *ko = g_string_new (NULL);

    while (ko->len < len)
      g_string_append (ko, "가나다라마바사아자차카타파하");
    buffer = render (ko->str, ko->len);
    text = buffer_text (buffer);
    g_assert_true (g_utf8_validate (text, -1, NULL));
    g_assert_true (g_str_has_suffix (text, "(truncated)"));
    g_string_free (ko, TRUE);
  }
}

static void
test_hostile_many_lines (void)
{
  GString *s = g_string_new (NULL);

  for (int i = 0; i < 100000; i++)
    g_string_append_printf (s, "%s line %d\n", i % 3 == 0 ? "-" : (i % 3 == 1 ? ">" : "1."), i);
  assert_sane_render (s->str, s->len, TRUE);

  /* Deep nesting and delimiter floods: md4c must stay linear and we must not recurse. */
  g_string_truncate (s, 0);
  for (int i = 0; i < 20000; i++)
    g_string_append_c (s, '>');
  g_string_append (s, " deep\n");
  for (int i = 0; i < 300; i++)
    {
      for (int k = 0; k < i; k++)
        g_string_append (s, "  ");
      g_string_append (s, "- item\n");
    }
  for (int i = 0; i < 50000; i++)
    g_string_append (s, i % 2 ? "[" : "*");
  g_string_append_c (s, '\n');
  for (int i = 0; i < 30000; i++)
    g_string_append (s, "`");
  assert_sane_render (s->str, s->len, FALSE);

  g_string_free (s, TRUE);
}

static void
test_hostile_table (void)
{
  GString *s = g_string_new ("| ");

  /* One wide cell and many narrow rows: padding must not multiply the size. */
  for (int i = 0; i < 20000; i++)
    g_string_append (s, "넓");
  g_string_append (s, " | b |\n|---|---|\n");
  for (int i = 0; i < 8000; i++)
    g_string_append (s, "| x | y |\n");
  {
    g_autoptr(GtkTextBuffer) buffer = render (s->str, s->len);
    g_autofree char *text = buffer_text (buffer);

    g_assert_true (g_utf8_validate (text, -1, NULL));
    /* Cells are not padded any more, so the text is no larger than its cells. */
    g_assert_cmpuint (strlen (text), <=, s->len);
  }

  /* A cut inside a table cell still ends with the note. */
  g_string_assign (s, "| ");
  for (int i = 0; i < 60; i++)
    g_string_append_c (s, 'w');
  g_string_append (s, " | b |\n|---|---|\n");
  for (int i = 0; i < 6000; i++)
    g_string_append (s, "| x | y |\n");
  g_string_append (s, "\n| head |\n|---|\n| ");
  for (int i = 0; i < 250000; i++)
    g_string_append_c (s, 'z');
  g_string_append (s, " |\n\nafter\n");
  {
    g_autoptr(GtkTextBuffer) buffer = render (s->str, s->len);
    g_autofree char *text = buffer_text (buffer);

    g_assert_true (g_str_has_suffix (text, "\n\n(truncated)"));
    g_assert_null (strstr (text, "after"));
  }

  /* Many columns. */
  g_string_assign (s, "");
  for (int r = 0; r < 3; r++)
    {
      for (int c = 0; c < 500; c++)
        g_string_append (s, r == 1 ? "|---" : "| 가 ");
      g_string_append (s, "|\n");
    }
  assert_sane_render (s->str, s->len, FALSE);

  g_string_free (s, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ka/markdown/sanitize/bytes", test_sanitize_bytes);
  g_test_add_func ("/ka/markdown/sanitize/invisible", test_sanitize_invisible);
  g_test_add_func ("/ka/markdown/sanitize/zalgo", test_sanitize_zalgo);
  g_test_add_func ("/ka/markdown/headings", test_headings);
  g_test_add_func ("/ka/markdown/emphasis", test_emphasis);
  g_test_add_func ("/ka/markdown/code-block", test_code_block);
  g_test_add_func ("/ka/markdown/lists", test_lists);
  g_test_add_func ("/ka/markdown/quote-and-rule", test_quote_and_rule);
  g_test_add_func ("/ka/markdown/table-korean", test_table_korean);
  g_test_add_func ("/ka/markdown/links", test_links);
  g_test_add_func ("/ka/markdown/markup-literal", test_markup_literal);
  g_test_add_func ("/ka/markdown/entities", test_entities);
  g_test_add_func ("/ka/markdown/latex-literal", test_latex_literal);
  g_test_add_func ("/ka/markdown/cjk-emphasis-and-tildes", test_cjk_emphasis_and_tildes);
  g_test_add_func ("/ka/markdown/insert-position", test_insert_position);
  g_test_add_func ("/ka/markdown/dark-palette", test_dark_palette);
  g_test_add_func ("/ka/markdown/hostile/small", test_hostile_small);
  g_test_add_func ("/ka/markdown/hostile/zalgo", test_hostile_zalgo);
  g_test_add_func ("/ka/markdown/hostile/long-line", test_hostile_long_line);
  g_test_add_func ("/ka/markdown/hostile/many-lines", test_hostile_many_lines);
  g_test_add_func ("/ka/markdown/hostile/table", test_hostile_table);

  return g_test_run ();
}
