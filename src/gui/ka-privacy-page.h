/* ka-privacy-page.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ka-store.h"

G_BEGIN_DECLS

/* The store `meta` key that holds the citizen's consent to the privacy notice. */
#define KA_PRIVACY_CONSENT_KEY "consent.privacy"

/* Bump when the notice says something new: every device then asks again. */
#define KA_PRIVACY_NOTICE_VERSION 1

gboolean   ka_privacy_has_consent        (KaStore       *store);
gboolean   ka_privacy_record_consent     (KaStore       *store,
                                          const char    *ui_language,
                                          GError       **error);

/*
 * KaPrivacyPage: the first-run privacy notice of a citizen device, shown in place of the
 * battle until the voter agrees. What is collected, what is not, where ballots go and how
 * results are used; "Agree and Start" (widget action privacy.agree) records the consent in
 * the store and then emits "agreed"; "Quit" closes the window (window.close).
 * Properties: "store" (KaStore, nullable) and "ui-language" ("ko"/"en", nullable): the
 * window gives both; "Agree" is enabled once both are set.
 */
#define KA_TYPE_PRIVACY_PAGE (ka_privacy_page_get_type ())

G_DECLARE_FINAL_TYPE (KaPrivacyPage, ka_privacy_page, KA, PRIVACY_PAGE, AdwBin)

GtkWidget  *ka_privacy_page_new             (void);
KaStore    *ka_privacy_page_get_store       (KaPrivacyPage *self);
void        ka_privacy_page_set_store       (KaPrivacyPage *self,
                                             KaStore       *store);
const char *ka_privacy_page_get_ui_language (KaPrivacyPage *self);
void        ka_privacy_page_set_ui_language (KaPrivacyPage *self,
                                             const char    *ui_language);
gboolean    ka_privacy_page_focus_default   (KaPrivacyPage *self);

G_END_DECLS
