/* ka-markdown.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Model text is untrusted: it is never parsed as Pango markup. ka_markdown_render() parses
 * CommonMark + GitHub tables with md4c and inserts plain text runs with GtkTextTags
 * (headings, emphasis, code, lists, quotes, tables; links shown, never followed). */

char *ka_text_sanitize        (const char      *text,
                               gssize           length);
void  ka_markdown_render      (GtkTextBuffer   *buffer,
                               GtkTextIter     *iter,
                               const char      *markdown,
                               gssize           length);
/* Added: creates the "ka-…" tags in @table (the renderer does it on first use too), so
 * callers can use "ka-dim" and "ka-note" for their own text. */
void  ka_markdown_ensure_tags (GtkTextTagTable *table);

G_END_DECLS
