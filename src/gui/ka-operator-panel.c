/* ka-operator-panel.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-operator-panel"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ka-operator-panel.h"

/* Characters of the content hash shown as the pack's version. */
#define VERSION_PREFIX 12

struct _KaOperatorPanel
{
  AdwBin              parent_instance;

  /* template widgets */
  GtkStack           *stack;
  GtkLabel           *pin_message;
  GtkPasswordEntry   *pin_entry;
  GtkSpinner         *pin_spinner;
  GtkGrid            *keypad;
  GtkButton          *sync_button;
  AdwActionRow       *last_sync_row;
  GtkLabel           *pending_label;
  GtkLabel           *delivered_label;
  GtkLabel           *rejected_label;
  GtkLabel           *last_sync_label;
  GtkLabel           *pack_label;
  GtkLabel           *version_label;
  GtkLabel           *device_label;

  /* owned */
  KaStore            *store;   /* (nullable) */
  KaPack             *pack;    /* (nullable) */
  KaOperatorPinState  pin_state;
};

G_DEFINE_FINAL_TYPE (KaOperatorPanel, ka_operator_panel, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  PROP_PACK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  PIN_SUBMITTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update_pin_sensitivity (KaOperatorPanel *self)
{
  gboolean ready = self->pin_state == KA_OPERATOR_PIN_READY;
  gboolean checking = self->pin_state == KA_OPERATOR_PIN_CHECKING;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  /* A focused entry made insensitive keeps a blinking cursor that GTK then warns about;
   * the focus leaves it first. */
  if (!ready && focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->pin_entry)))
    gtk_root_set_focus (root, NULL);

  gtk_widget_set_sensitive (GTK_WIDGET (self->pin_entry), ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "panel.digit", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "panel.backspace", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "panel.submit", ready);
  gtk_widget_set_visible (GTK_WIDGET (self->pin_spinner), checking);
  gtk_spinner_set_spinning (self->pin_spinner, checking);
}

static void
submit (KaOperatorPanel *self)
{
  GtkEditable *editable = GTK_EDITABLE (self->pin_entry);
  char *pin;

  if (self->pin_state != KA_OPERATOR_PIN_READY)
    return;

  /* The entry's buffer is the only other copy; it is emptied before anything else runs. */
  pin = g_strdup (gtk_editable_get_text (editable));
  gtk_editable_set_text (editable, "");

  if (*pin != '\0')
    g_signal_emit (self, signals[PIN_SUBMITTED], 0, pin);

  explicit_bzero (pin, strlen (pin));
  g_free (pin);
}

static void
digit_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  KaOperatorPanel *self = KA_OPERATOR_PANEL (widget);
  GtkEditable *editable = GTK_EDITABLE (self->pin_entry);
  const char *digit = g_variant_get_string (param, NULL);
  int position = -1;

  if (strlen (digit) != 1 || !g_ascii_isdigit (digit[0]))
    return;

  position = (int) g_utf8_strlen (gtk_editable_get_text (editable), -1);
  gtk_editable_insert_text (editable, digit, 1, &position);
  gtk_editable_set_position (editable, position);
}

static void
backspace_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  KaOperatorPanel *self = KA_OPERATOR_PANEL (widget);
  GtkEditable *editable = GTK_EDITABLE (self->pin_entry);
  int length = (int) g_utf8_strlen (gtk_editable_get_text (editable), -1);

  if (length > 0)
    gtk_editable_delete_text (editable, length - 1, length);
}

static void
submit_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  submit (KA_OPERATOR_PANEL (widget));
}

static void
pin_entry_activate_cb (KaOperatorPanel *self)
{
  submit (self);
}

static void
ka_operator_panel_dispose (GObject *object)
{
  KaOperatorPanel *self = KA_OPERATOR_PANEL (object);

  /* The bin's child is the bound template child "stack": detach it first, or AdwBin's
   * own dispose would unparent it a second time. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), KA_TYPE_OPERATOR_PANEL);

  g_clear_object (&self->store);
  g_clear_object (&self->pack);

  G_OBJECT_CLASS (ka_operator_panel_parent_class)->dispose (object);
}

static void
ka_operator_panel_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  KaOperatorPanel *self = KA_OPERATOR_PANEL (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_PACK:
      g_value_set_object (value, self->pack);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_operator_panel_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  KaOperatorPanel *self = KA_OPERATOR_PANEL (object);

  switch (prop_id)
    {
    case PROP_STORE:
      ka_operator_panel_set_store (self, g_value_get_object (value));
      break;

    case PROP_PACK:
      ka_operator_panel_set_pack (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_operator_panel_class_init (KaOperatorPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ka_operator_panel_dispose;
  object_class->get_property = ka_operator_panel_get_property;
  object_class->set_property = ka_operator_panel_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         KA_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_PACK] =
    g_param_spec_object ("pack", NULL, NULL,
                         KA_TYPE_PACK,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * KaOperatorPanel::pin-submitted:
   * @pin: the typed PIN; valid only during the emission, and wiped afterwards
   *
   * The operator typed a PIN and pressed OK or Enter. The entry is already empty.
   */
  signals[PIN_SUBMITTED] = g_signal_new ("pin-submitted",
                                         G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1,
                                         G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kaiarena/Arena/ui/ka-operator-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, KaOperatorPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, KaOperatorPanel, pin_message);
  gtk_widget_class_bind_template_child (widget_class, KaOperatorPanel, pin_entry);
  gtk_widget_class_bind_template_child (widget_class, KaOperatorPanel, pin_spinner);
  gtk_widget_class_bind_template_child (widget_class, KaOperatorPanel, keypad);
  gtk_widget_class_bind_template_child (widget_class, KaOperatorPanel, sync_button);
  gtk_widget_class_bind_template_child (widget_class, KaOperatorPanel, last_sync_row);
  gtk_widget_class_bind_template_child (widget_class, KaOperatorPanel, pending_label);
  gtk_widget_class_bind_template_child (widget_class, KaOperatorPanel, delivered_label);
  gtk_widget_class_bind_template_child (widget_class, KaOperatorPanel, rejected_label);
  gtk_widget_class_bind_template_child (widget_class, KaOperatorPanel, last_sync_label);
  gtk_widget_class_bind_template_child (widget_class, KaOperatorPanel, pack_label);
  gtk_widget_class_bind_template_child (widget_class, KaOperatorPanel, version_label);
  gtk_widget_class_bind_template_child (widget_class, KaOperatorPanel, device_label);

  gtk_widget_class_install_action (widget_class, "panel.digit", "s", digit_activated);
  gtk_widget_class_install_action (widget_class, "panel.backspace", NULL, backspace_activated);
  gtk_widget_class_install_action (widget_class, "panel.submit", NULL, submit_activated);

  gtk_widget_class_set_css_name (widget_class, "operatorpanel");
}

static void
ka_operator_panel_init (KaOperatorPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->pin_entry, "activate",
                           G_CALLBACK (pin_entry_activate_cb), self, G_CONNECT_SWAPPED);

  self->pin_state = KA_OPERATOR_PIN_READY;
  gtk_label_set_text (self->pin_message, _("Enter the operator PIN."));
  update_pin_sensitivity (self);
  ka_operator_panel_set_sync_status (self, NULL, FALSE, NULL);
}

GtkWidget *
ka_operator_panel_new (void)
{
  return g_object_new (KA_TYPE_OPERATOR_PANEL, NULL);
}

KaStore *
ka_operator_panel_get_store (KaOperatorPanel *self)
{
  g_return_val_if_fail (KA_IS_OPERATOR_PANEL (self), NULL);

  return self->store;
}

void
ka_operator_panel_set_store (KaOperatorPanel *self,
                             KaStore         *store)
{
  g_return_if_fail (KA_IS_OPERATOR_PANEL (self));
  g_return_if_fail (store == NULL || KA_IS_STORE (store));

  if (g_set_object (&self->store, store))
    {
      ka_operator_panel_refresh (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
    }
}

KaPack *
ka_operator_panel_get_pack (KaOperatorPanel *self)
{
  g_return_val_if_fail (KA_IS_OPERATOR_PANEL (self), NULL);

  return self->pack;
}

void
ka_operator_panel_set_pack (KaOperatorPanel *self,
                            KaPack          *pack)
{
  g_return_if_fail (KA_IS_OPERATOR_PANEL (self));
  g_return_if_fail (pack == NULL || KA_IS_PACK (pack));

  if (g_set_object (&self->pack, pack))
    {
      ka_operator_panel_refresh (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PACK]);
    }
}

/* Returns: "pin" or "status". */
const char *
ka_operator_panel_get_page (KaOperatorPanel *self)
{
  g_return_val_if_fail (KA_IS_OPERATOR_PANEL (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

/**
 * ka_operator_panel_clear:
 *
 * Empties the PIN entry and goes back to the PIN page, so that nothing of a staff
 * visit stays on screen or in memory.
 */
void
ka_operator_panel_clear (KaOperatorPanel *self)
{
  g_return_if_fail (KA_IS_OPERATOR_PANEL (self));

  gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");
  gtk_stack_set_visible_child_name (self->stack, "pin");
}

/* Shows the PIN page with an empty entry; the state and message are the caller's. */
void
ka_operator_panel_show_pin (KaOperatorPanel *self)
{
  g_return_if_fail (KA_IS_OPERATOR_PANEL (self));

  ka_operator_panel_clear (self);
  if (self->pin_state == KA_OPERATOR_PIN_READY)
    gtk_widget_grab_focus (GTK_WIDGET (self->pin_entry));
}

void
ka_operator_panel_show_status (KaOperatorPanel *self)
{
  g_return_if_fail (KA_IS_OPERATOR_PANEL (self));

  gtk_editable_set_text (GTK_EDITABLE (self->pin_entry), "");
  ka_operator_panel_refresh (self);
  gtk_stack_set_visible_child_name (self->stack, "status");
}

/**
 * ka_operator_panel_set_pin_state:
 * @state: what the PIN page allows
 * @message: (nullable): the line above the entry; %NULL for the default prompt
 */
void
ka_operator_panel_set_pin_state (KaOperatorPanel    *self,
                                 KaOperatorPinState  state,
                                 const char         *message)
{
  g_return_if_fail (KA_IS_OPERATOR_PANEL (self));

  self->pin_state = state;
  gtk_label_set_text (self->pin_message, message != NULL ? message : _("Enter the operator PIN."));
  if (state == KA_OPERATOR_PIN_LOCKED || state == KA_OPERATOR_PIN_UNAVAILABLE)
    gtk_widget_add_css_class (GTK_WIDGET (self->pin_message), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->pin_message), "error");
  update_pin_sensitivity (self);

  if (state == KA_OPERATOR_PIN_READY &&
      g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "pin") == 0 &&
      gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_widget_grab_focus (GTK_WIDGET (self->pin_entry));
}

KaOperatorPinState
ka_operator_panel_get_pin_state (KaOperatorPanel *self)
{
  g_return_val_if_fail (KA_IS_OPERATOR_PANEL (self), KA_OPERATOR_PIN_UNAVAILABLE);

  return self->pin_state;
}

const char *
ka_operator_panel_get_pin_message (KaOperatorPanel *self)
{
  g_return_val_if_fail (KA_IS_OPERATOR_PANEL (self), NULL);

  return gtk_label_get_text (self->pin_message);
}

/**
 * ka_operator_panel_set_sync_status:
 * @last_sync: (nullable): when the last sync succeeded, already formatted; %NULL for
 *   "never"
 * @can_sync: whether "Sync Now" can be pressed
 * @explanation: (nullable): the button's tooltip, e.g. why it cannot be pressed
 */
void
ka_operator_panel_set_sync_status (KaOperatorPanel *self,
                                   const char      *last_sync,
                                   gboolean         can_sync,
                                   const char      *explanation)
{
  g_return_if_fail (KA_IS_OPERATOR_PANEL (self));

  /* Translators: the time of the last sync when there has been none */
  gtk_label_set_text (self->last_sync_label, last_sync != NULL ? last_sync : _("Never"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->sync_button), can_sync);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->sync_button), explanation);
  /* The row shows it as plain text (use-markup is off): it may quote a server's error. */
  adw_action_row_set_subtitle (self->last_sync_row, explanation);
}

static void
set_count (GtkLabel *label,
           gint64    count)
{
  /* The ' flag groups digits as the locale does ("12,345"). */
  g_autofree char *text = g_strdup_printf ("%'" G_GINT64_FORMAT, count);

  gtk_label_set_text (label, text);
}

/* Re-reads the counts from the store: a few indexed COUNT queries. */
void
ka_operator_panel_refresh (KaOperatorPanel *self)
{
  KaOutboxCounts counts = { 0 };
  g_autoptr(GError) error = NULL;

  g_return_if_fail (KA_IS_OPERATOR_PANEL (self));

  if (self->store != NULL && ka_store_get_outbox_counts (self->store, &counts, &error))
    {
      set_count (self->pending_label, counts.pending);
      set_count (self->delivered_label, counts.delivered);
      set_count (self->rejected_label, counts.rejected);
      gtk_label_set_text (self->device_label, ka_store_get_device_id (self->store));
    }
  else
    {
      if (error != NULL)
        g_warning ("Could not count the ballots: %s", error->message);
      gtk_label_set_text (self->pending_label, "—");
      gtk_label_set_text (self->delivered_label, "—");
      gtk_label_set_text (self->rejected_label, "—");
      gtk_label_set_text (self->device_label,
                          self->store != NULL ? ka_store_get_device_id (self->store) : "—");
    }

  if (self->pack != NULL)
    {
      const char *hash = ka_pack_get_content_hash (self->pack);
      g_autofree char *version = g_strndup (hash != NULL ? hash : "", VERSION_PREFIX);

      gtk_label_set_text (self->pack_label, ka_pack_get_id (self->pack));
      gtk_label_set_text (self->version_label, *version != '\0' ? version : "—");
    }
  else
    {
      gtk_label_set_text (self->pack_label, "—");
      gtk_label_set_text (self->version_label, "—");
    }
}

GtkEditable *
ka_operator_panel_get_pin_entry (KaOperatorPanel *self)
{
  g_return_val_if_fail (KA_IS_OPERATOR_PANEL (self), NULL);

  return GTK_EDITABLE (self->pin_entry);
}

/**
 * ka_operator_panel_describe:
 *
 * Returns: (transfer full): the status page's values as `key: value` lines (pending,
 *   delivered, rejected, last-sync, pack, version, device), for tests and logs
 */
char *
ka_operator_panel_describe (KaOperatorPanel *self)
{
  g_return_val_if_fail (KA_IS_OPERATOR_PANEL (self), NULL);

  return g_strdup_printf ("pending: %s\ndelivered: %s\nrejected: %s\nlast-sync: %s\n"
                          "pack: %s\nversion: %s\ndevice: %s\n",
                          gtk_label_get_text (self->pending_label),
                          gtk_label_get_text (self->delivered_label),
                          gtk_label_get_text (self->rejected_label),
                          gtk_label_get_text (self->last_sync_label),
                          gtk_label_get_text (self->pack_label),
                          gtk_label_get_text (self->version_label),
                          gtk_label_get_text (self->device_label));
}
