/* ka-tex.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ka-tex-node.h"

G_BEGIN_DECLS

/*
 * TeX mathematics as model answers write it (the subset between \( \), \[ \], $ $ and
 * $$ $$): parsed without GTK, so the identity guard, exports and tests can read it.
 * The drawing lives in src/gui/ka-math-view.c.
 */

/* Limits of what ka_tex_parse() accepts: longer or deeper input is refused (and shown as
 * its source), so no input can make the parser or a tree walker recurse without bound. */
#define KA_TEX_MAX_LENGTH (64 * 1024)  /* bytes of source */
#define KA_TEX_MAX_DEPTH  40           /* nested groups, arguments and environments */
#define KA_TEX_MAX_NODES  20000

#define KA_TEX_ERROR (ka_tex_error_quark ())

typedef enum
{
  KA_TEX_ERROR_TOO_LARGE,    /* over KA_TEX_MAX_LENGTH bytes or KA_TEX_MAX_NODES nodes */
  KA_TEX_ERROR_TOO_DEEP,     /* nested deeper than KA_TEX_MAX_DEPTH */
  KA_TEX_ERROR_UNBALANCED,   /* a brace, \left/\right or \begin/\end without its partner */
  KA_TEX_ERROR_SYNTAX,       /* a command without its argument, a bad delimiter */
} KaTexError;

GQuark      ka_tex_error_quark     (void);

KaTexNode  *ka_tex_parse           (const char       *tex,
                                    gssize            length,
                                    GError          **error);
char       *ka_tex_node_to_text    (const KaTexNode  *node);
guint       ka_tex_count_unknown   (const KaTexNode  *node);
gboolean    ka_tex_spaced_words    (GPtrArray        *items,
                                    guint             i);
char       *ka_tex_to_script       (const char       *text,
                                    gboolean          sup);

char       *ka_tex_to_text         (const char       *tex,
                                    gssize            length);

G_END_DECLS
