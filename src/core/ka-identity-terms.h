/* ka-identity-terms.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char  *ka_identity_guess_organisation  (const char *model_id);
char       **ka_identity_terms_for_model     (const char *model_id);
gboolean     ka_identity_terms_known_model   (const char *model_id);
char       **ka_identity_terms_model_parts   (const char *model_id);
char       **ka_identity_terms_model_names   (const char *model_id);

G_END_DECLS
