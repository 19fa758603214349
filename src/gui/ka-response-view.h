/* ka-response-view.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "ka-pack.h"

G_BEGIN_DECLS

/*
 * KaResponseView: one side of a battle. A heading ("Model A" / "모델 A", property "label"),
 * then the side's whole thread (every turn's answer, with a small turn marker when there are
 * several turns) rendered from Markdown as a column of blocks (ka_markdown_render_blocks():
 * read-only, selectable prose views, table grids, code views, formulas) inside its own
 * GtkScrolledWindow, at a comfortable measure. After the vote, ka_response_view_reveal() shows the model's name and
 * highlights the side the voter chose. Property "text-scale" (double, 0.75–2.0) scales the
 * text. Accessible name is the label only (never a model name before reveal).
 */
#define KA_TYPE_RESPONSE_VIEW (ka_response_view_get_type ())

G_DECLARE_FINAL_TYPE (KaResponseView, ka_response_view, KA, RESPONSE_VIEW, GtkWidget)

GtkWidget  *ka_response_view_new            (void);
const char *ka_response_view_get_label      (KaResponseView       *self);
void        ka_response_view_set_label      (KaResponseView       *self,
                                             const char           *label);
double      ka_response_view_get_text_scale (KaResponseView       *self);
void        ka_response_view_set_text_scale (KaResponseView       *self,
                                             double                scale);
void        ka_response_view_set_response   (KaResponseView       *self,
                                             const KaPackPrompt   *prompt,
                                             const KaPackResponse *response);
void        ka_response_view_reveal         (KaResponseView       *self,
                                             const char           *model_name,
                                             const char           *organisation,
                                             gboolean              chosen,
                                             const char           *verdict);
void        ka_response_view_clear          (KaResponseView       *self);
GtkTextView *ka_response_view_get_text_view (KaResponseView       *self);
GtkBox      *ka_response_view_get_blocks    (KaResponseView       *self);
char        *ka_response_view_dup_text      (KaResponseView       *self);

G_END_DECLS
