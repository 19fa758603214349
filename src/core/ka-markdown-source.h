/* ka-markdown-source.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * KaMarkdownSource: a model's Markdown prepared for md4c so that the parse keeps what the
 * model meant (issue 9): single tildes stay text, emphasis closes next to Hangul, and TeX
 * math in every delimiter real answers use is cut out before md4c can read Markdown in it.
 * The prepared text holds private markers (Unicode noncharacters U+FDD0–U+FDEF, which
 * ka_text_sanitize() never lets through); ka_markdown_source_restore() turns any piece of
 * md4c's output back into the model's characters. No GTK: the identity guard may use it.
 */

typedef struct
{
  char     *tex;        /* TeX source without its delimiters */
  char     *source;     /* the whole match, delimiters included, as the model wrote it */
  gboolean  display;    /* \[ \] and $$ $$: a formula on its own line */
} KaMarkdownMath;

typedef struct
{
  char      *text;      /* NUL-terminated input for md4c */
  gsize      length;    /* bytes in text */
  GPtrArray *math;      /* of KaMarkdownMath, indexed by the number in a math token */
} KaMarkdownSource;

KaMarkdownSource *ka_markdown_source_new         (const char             *markdown,
                                                  gssize                  length);
void              ka_markdown_source_free        (KaMarkdownSource       *self);
const char       *ka_markdown_source_find_math   (const KaMarkdownSource *self,
                                                  const char             *text,
                                                  gsize                   length,
                                                  gsize                  *token_length,
                                                  const KaMarkdownMath  **math);
void              ka_markdown_source_restore     (const KaMarkdownSource *self,
                                                  GString                *out,
                                                  const char             *text,
                                                  gsize                   length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaMarkdownSource, ka_markdown_source_free)

G_END_DECLS
