/* ka-privacy-page.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-privacy-page"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ka-privacy-page.h"

struct _KaPrivacyPage
{
  AdwBin     parent_instance;

  /* template widgets */
  GtkLabel  *collected_label;
  GtkLabel  *not_collected_label;
  GtkLabel  *destination_label;
  GtkLabel  *use_label;
  GtkLabel  *error_label;
  GtkButton *agree_button;

  /* owned */
  KaStore   *store;        /* (nullable): where the consent is recorded */
  char      *ui_language;  /* (nullable): "ko" or "en", recorded with the consent */
};

G_DEFINE_FINAL_TYPE (KaPrivacyPage, ka_privacy_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  PROP_UI_LANGUAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  AGREED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/**
 * ka_privacy_has_consent:
 * @store: the device's ballot store
 *
 * Whether the voter of this device has agreed to the current privacy notice: the store's
 * `consent.privacy` entry parses and its version is at least %KA_PRIVACY_NOTICE_VERSION.
 * A missing, malformed or older entry means the notice must be shown (again).
 */
gboolean
ka_privacy_has_consent (KaStore *store)
{
  g_autofree char *value = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object;
  JsonNode *root, *version, *accepted_at;

  g_return_val_if_fail (KA_IS_STORE (store), FALSE);

  value = ka_store_get_meta (store, KA_PRIVACY_CONSENT_KEY);
  if (value == NULL)
    return FALSE;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, value, -1, NULL))
    return FALSE;

  /* An empty document parses, with no root at all. */
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;

  object = json_node_get_object (root);
  version = json_object_get_member (object, "version");
  accepted_at = json_object_get_member (object, "accepted_at");
  if (version == NULL || !JSON_NODE_HOLDS_VALUE (version) ||
      json_node_get_value_type (version) != G_TYPE_INT64 ||
      accepted_at == NULL || !JSON_NODE_HOLDS_VALUE (accepted_at) ||
      json_node_get_value_type (accepted_at) != G_TYPE_STRING)
    return FALSE;

  return json_node_get_int (version) >= KA_PRIVACY_NOTICE_VERSION;
}

/**
 * ka_privacy_record_consent:
 * @store: the device's ballot store
 * @ui_language: the language the notice was shown in ("ko" or "en")
 * @error: return location for a #GError
 *
 * Records, in its own committed transaction, that the voter agreed to version
 * %KA_PRIVACY_NOTICE_VERSION of the notice: `{"version": 1, "accepted_at": "<RFC 3339
 * UTC>", "ui_language": "ko"}` under the `consent.privacy` key. The entry stays on the
 * device and is never sent with ballots.
 *
 * Returns: %TRUE once the consent is stored
 */
gboolean
ka_privacy_record_consent (KaStore     *store,
                           const char  *ui_language,
                           GError     **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *accepted_at = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *value = NULL;

  g_return_val_if_fail (KA_IS_STORE (store), FALSE);
  g_return_val_if_fail (ui_language != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, KA_PRIVACY_NOTICE_VERSION);
  json_builder_set_member_name (builder, "accepted_at");
  json_builder_add_string_value (builder, accepted_at);
  json_builder_set_member_name (builder, "ui_language");
  json_builder_add_string_value (builder, ui_language);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  value = json_to_string (root, FALSE);

  return ka_store_set_meta (store, KA_PRIVACY_CONSENT_KEY, value, error);
}

static void
agree_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  KaPrivacyPage *self = KA_PRIVACY_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (self->store == NULL || self->ui_language == NULL)
    return;

  /* Voting starts only once the consent has committed; a store that cannot write keeps
   * the voter on this page, with the reason. */
  if (!ka_privacy_record_consent (self->store, self->ui_language, &error))
    {
      g_autofree char *message = NULL;

      g_warning ("Could not record the consent: %s", error->message);
      /* Translators: %s is a technical reason, e.g. from the database */
      message = g_strdup_printf (_("Your agreement could not be saved: %s"), error->message);
      gtk_label_set_text (self->error_label, message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  g_signal_emit (self, signals[AGREED], 0);
}

/* "Agree" needs both: where to record the consent, and the language it was given in. */
static void
update_agree (KaPrivacyPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "privacy.agree",
                                 self->store != NULL && self->ui_language != NULL);
}

static void
ka_privacy_page_dispose (GObject *object)
{
  KaPrivacyPage *self = KA_PRIVACY_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), KA_TYPE_PRIVACY_PAGE);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ka_privacy_page_parent_class)->dispose (object);
}

static void
ka_privacy_page_finalize (GObject *object)
{
  KaPrivacyPage *self = KA_PRIVACY_PAGE (object);

  g_clear_pointer (&self->ui_language, g_free);

  G_OBJECT_CLASS (ka_privacy_page_parent_class)->finalize (object);
}

static void
ka_privacy_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  KaPrivacyPage *self = KA_PRIVACY_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_UI_LANGUAGE:
      g_value_set_string (value, self->ui_language);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_privacy_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  KaPrivacyPage *self = KA_PRIVACY_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      ka_privacy_page_set_store (self, g_value_get_object (value));
      break;

    case PROP_UI_LANGUAGE:
      ka_privacy_page_set_ui_language (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_privacy_page_class_init (KaPrivacyPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ka_privacy_page_dispose;
  object_class->finalize = ka_privacy_page_finalize;
  object_class->get_property = ka_privacy_page_get_property;
  object_class->set_property = ka_privacy_page_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         KA_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * KaPrivacyPage:ui-language:
   *
   * The language the notice is shown in ("ko" or "en"), recorded with the consent: the
   * window gives its session's, the one its ballots record. "Agree" stays disabled while
   * it is %NULL, so that no consent claims a language nobody chose.
   */
  properties[PROP_UI_LANGUAGE] =
    g_param_spec_string ("ui-language", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * KaPrivacyPage::agreed:
   *
   * The voter pressed "Agree and Start" and the consent has been committed to the store.
   */
  signals[AGREED] =
    g_signal_new ("agreed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kaiarena/Arena/ui/ka-privacy-page.ui");
  gtk_widget_class_bind_template_child (widget_class, KaPrivacyPage, collected_label);
  gtk_widget_class_bind_template_child (widget_class, KaPrivacyPage, not_collected_label);
  gtk_widget_class_bind_template_child (widget_class, KaPrivacyPage, destination_label);
  gtk_widget_class_bind_template_child (widget_class, KaPrivacyPage, use_label);
  gtk_widget_class_bind_template_child (widget_class, KaPrivacyPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, KaPrivacyPage, agree_button);

  gtk_widget_class_install_action (widget_class, "privacy.agree", NULL, agree_activated);

  gtk_widget_class_set_css_name (widget_class, "privacypage");
}

static void
ka_privacy_page_init (KaPrivacyPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* A screen reader reads the notice when the focus lands on "Agree and Start". */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->agree_button),
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                  self->collected_label, self->not_collected_label,
                                  self->destination_label, self->use_label, NULL,
                                  -1);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "privacy.agree", FALSE);
}

/**
 * ka_privacy_page_new:
 *
 * Returns: (transfer floating): a privacy notice with no store and no language; "Agree"
 *   stays disabled until both are set
 */
GtkWidget *
ka_privacy_page_new (void)
{
  return g_object_new (KA_TYPE_PRIVACY_PAGE, NULL);
}

KaStore *
ka_privacy_page_get_store (KaPrivacyPage *self)
{
  g_return_val_if_fail (KA_IS_PRIVACY_PAGE (self), NULL);

  return self->store;
}

/**
 * ka_privacy_page_set_store:
 * @store: (nullable): the store the consent is recorded in
 */
void
ka_privacy_page_set_store (KaPrivacyPage *self,
                           KaStore       *store)
{
  g_return_if_fail (KA_IS_PRIVACY_PAGE (self));
  g_return_if_fail (store == NULL || KA_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  update_agree (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

const char *
ka_privacy_page_get_ui_language (KaPrivacyPage *self)
{
  g_return_val_if_fail (KA_IS_PRIVACY_PAGE (self), NULL);

  return self->ui_language;
}

/**
 * ka_privacy_page_set_ui_language:
 * @ui_language: (nullable): "ko" or "en": the language the notice is shown in
 */
void
ka_privacy_page_set_ui_language (KaPrivacyPage *self,
                                 const char    *ui_language)
{
  g_return_if_fail (KA_IS_PRIVACY_PAGE (self));

  if (g_strcmp0 (self->ui_language, ui_language) == 0)
    return;

  g_free (self->ui_language);
  self->ui_language = g_strdup (ui_language);
  update_agree (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UI_LANGUAGE]);
}

/* Puts the keyboard focus on "Agree and Start". */
gboolean
ka_privacy_page_focus_default (KaPrivacyPage *self)
{
  g_return_val_if_fail (KA_IS_PRIVACY_PAGE (self), FALSE);

  return gtk_widget_grab_focus (GTK_WIDGET (self->agree_button));
}
