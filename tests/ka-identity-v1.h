/* ka-identity-v1.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "ka-pack.h"

G_BEGIN_DECLS

#define KA_TYPE_IDENTITY_V1_GUARD (ka_identity_v1_guard_get_type ())

G_DECLARE_FINAL_TYPE (KaIdentityV1Guard, ka_identity_v1_guard, KA, IDENTITY_V1_GUARD, GObject)

KaIdentityV1Guard    *ka_identity_v1_guard_new                (const char * const *extra_terms);
KaIdentityV1Guard    *ka_identity_v1_guard_new_for_pack       (KaPack             *pack);
const char * const *ka_identity_v1_guard_get_builtin_terms  (void);
gboolean            ka_identity_v1_guard_scan               (KaIdentityV1Guard    *self,
                                                          const char         *text,
                                                          char              **matched_term);
gboolean            ka_identity_v1_guard_check_response     (KaIdentityV1Guard    *self,
                                                          const KaPackResponse *response,
                                                          char              **matched_term);

const char         *ka_identity_v1_guess_organisation       (const char         *model_id);
char              **ka_identity_v1_terms_for_model          (const char         *model_id);

G_END_DECLS
