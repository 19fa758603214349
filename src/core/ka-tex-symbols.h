/* ka-tex-symbols.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ka-tex-node.h"

G_BEGIN_DECLS

/* The tables behind ka-tex.c: which TeX command means which Unicode character. */

typedef struct
{
  const char *name;     /* without the backslash */
  const char *text;     /* UTF-8 */
  KaTexClass  cls;
} KaTexSymbol;

typedef struct
{
  const char  *name;
  const char  *text;
  KaTexLimits  limits;
  gboolean     large;   /* drawn larger in display style (∑ ∫), not a name (lim) */
} KaTexOperator;

const KaTexSymbol   *ka_tex_lookup_symbol    (const char *name);
const KaTexOperator *ka_tex_lookup_operator  (const char *name);
gboolean             ka_tex_lookup_space     (const char *name,
                                              int        *mu);
const char          *ka_tex_lookup_accent    (const char *name,
                                              gboolean   *wide);
gboolean             ka_tex_lookup_font      (const char *name,
                                              KaTexFont  *font,
                                              gboolean   *text_mode,
                                              const char **alphabet);
int                  ka_tex_lookup_big       (const char *name,
                                              KaTexClass *cls);
const char          *ka_tex_lookup_delimiter (const char *name);

gunichar             ka_tex_alphabet_char    (const char *alphabet,
                                              gunichar    c);
gunichar             ka_tex_superscript_char (gunichar    c);
gunichar             ka_tex_subscript_char   (gunichar    c);

G_END_DECLS
