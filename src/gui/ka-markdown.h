/* ka-markdown.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Model text is untrusted: it is never parsed as Pango markup. The source is prepared by
 * ka_markdown_source_new() (single tildes, emphasis next to Hangul, math), parsed by md4c
 * (CommonMark + GitHub tables) into blocks: prose as plain text runs with GtkTextTags
 * (headings, emphasis, code spans, lists, quotes; links shown, never followed), tables as
 * grids, code in GtkSourceView, display math in KaMathView. ka_markdown_render_blocks()
 * builds the widgets; ka_markdown_render() writes the same answer as one flat text. */

char *ka_text_sanitize        (const char      *text,
                               gssize           length);
void  ka_markdown_render      (GtkTextBuffer   *buffer,
                               GtkTextIter     *iter,
                               const char      *markdown,
                               gssize           length);
void  ka_markdown_render_blocks (GtkBox        *box,
                                 const char    *markdown,
                                 gssize         length);
GtkTextView *ka_markdown_append_prose_view (GtkBox    *box);
char        *ka_markdown_dup_block_text    (GtkWidget *block);
/* Added: creates the "ka-…" tags in @table (the renderer does it on first use too), so
 * callers can use "ka-dim" and "ka-note" for their own text. */
void  ka_markdown_ensure_tags (GtkTextTagTable *table);

G_END_DECLS
