/* ka-identity.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "ka-identity-terms.h"
#include "ka-pack.h"
#include "ka-store.h"

G_BEGIN_DECLS

#define KA_TYPE_IDENTITY_GUARD (ka_identity_guard_get_type ())

G_DECLARE_FINAL_TYPE (KaIdentityGuard, ka_identity_guard, KA, IDENTITY_GUARD, GObject)

KaIdentityGuard    *ka_identity_guard_new                (const char * const *extra_terms);
KaIdentityGuard    *ka_identity_guard_new_for_pack       (KaPack             *pack);
const char * const *ka_identity_guard_get_builtin_terms  (void);
gboolean            ka_identity_guard_scan               (KaIdentityGuard    *self,
                                                          const char         *text,
                                                          char              **matched_term);
gboolean            ka_identity_guard_check_response     (KaIdentityGuard    *self,
                                                          const KaPackResponse *response,
                                                          char              **matched_term);
gboolean            ka_identity_guard_scan_for_model     (KaIdentityGuard    *self,
                                                          const char         *text,
                                                          const char         *model_id,
                                                          const KaPackPrompt *prompt,
                                                          char              **matched_term);
gboolean            ka_identity_guard_mentions           (KaIdentityGuard    *self,
                                                          const char         *text,
                                                          char              **matched_term);
char              **ka_identity_guard_get_unknown_models (KaIdentityGuard    *self);
const char         *ka_identity_guard_get_version        (KaIdentityGuard    *self);
GHashTable         *ka_identity_guard_scan_pack          (KaIdentityGuard    *self);
void                ka_identity_guard_set_pack_flags     (KaIdentityGuard    *self,
                                                          GHashTable         *flags);
gboolean            ka_identity_guard_use_store          (KaIdentityGuard    *self,
                                                          KaStore            *store,
                                                          gboolean           *from_store,
                                                          GError            **error);

G_END_DECLS
