/* ka-vote-bar.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-vote-bar"

#include "config.h"

#include <glib/gi18n.h>

#include "ka-battle-panes.h"
#include "ka-vote-bar.h"

struct _KaVoteBar
{
  AdwBin       parent_instance;

  /* template widgets */
  GtkRevealer *error_revealer;
  GtkLabel    *error_label;
  GtkLabel    *error_detail_label;
  GtkStack    *stack;
  GtkSpinner  *spinner;
  GtkButton   *vote_a_button;
  GtkButton   *vote_b_button;
  GtkButton   *vote_tie_button;
  GtkButton   *vote_both_bad_button;
  GtkLabel    *result_label;
  GtkButton   *next_button;
};

G_DEFINE_FINAL_TYPE (KaVoteBar, ka_vote_bar, ADW_TYPE_BIN)

static void
ka_vote_bar_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), KA_TYPE_VOTE_BAR);

  G_OBJECT_CLASS (ka_vote_bar_parent_class)->dispose (object);
}

static void
ka_vote_bar_class_init (KaVoteBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ka_vote_bar_dispose;

  g_type_ensure (KA_TYPE_BATTLE_PANES);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kaiarena/Arena/ui/ka-vote-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, KaVoteBar, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, KaVoteBar, error_label);
  gtk_widget_class_bind_template_child (widget_class, KaVoteBar, error_detail_label);
  gtk_widget_class_bind_template_child (widget_class, KaVoteBar, stack);
  gtk_widget_class_bind_template_child (widget_class, KaVoteBar, spinner);
  gtk_widget_class_bind_template_child (widget_class, KaVoteBar, vote_a_button);
  gtk_widget_class_bind_template_child (widget_class, KaVoteBar, vote_b_button);
  gtk_widget_class_bind_template_child (widget_class, KaVoteBar, vote_tie_button);
  gtk_widget_class_bind_template_child (widget_class, KaVoteBar, vote_both_bad_button);
  gtk_widget_class_bind_template_child (widget_class, KaVoteBar, result_label);
  gtk_widget_class_bind_template_child (widget_class, KaVoteBar, next_button);

  gtk_widget_class_set_css_name (widget_class, "votebar");
}

static void
ka_vote_bar_init (KaVoteBar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ka_vote_bar_new (void)
{
  return g_object_new (KA_TYPE_VOTE_BAR, NULL);
}

/**
 * ka_vote_bar_show_voting:
 * @busy: %TRUE while a ballot is being written (shows a spinner)
 *
 * Shows the four vote buttons. Whether they can be pressed is decided by the battle.vote-*
 * actions of the ancestor, not here.
 */
void
ka_vote_bar_show_voting (KaVoteBar *self,
                         gboolean   busy)
{
  g_return_if_fail (KA_IS_VOTE_BAR (self));

  gtk_stack_set_visible_child_name (self->stack, "vote");
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_label_set_text (self->result_label, "");
}

/**
 * ka_vote_bar_show_result:
 * @result: what the voter chose, as a sentence; may name the models, so call this only
 *   after the ballot has been committed
 *
 * Swaps the vote buttons for "Vote recorded", @result and the "Next battle" button.
 */
void
ka_vote_bar_show_result (KaVoteBar  *self,
                         const char *result)
{
  g_return_if_fail (KA_IS_VOTE_BAR (self));

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  gtk_spinner_set_spinning (self->spinner, FALSE);
  gtk_label_set_text (self->result_label, result != NULL ? result : "");
  gtk_stack_set_visible_child_name (self->stack, "result");
}

/**
 * ka_vote_bar_set_error:
 * @message: (nullable): a sentence for the voter, or %NULL to hide the error line
 */
void
ka_vote_bar_set_error (KaVoteBar  *self,
                       const char *message)
{
  ka_vote_bar_set_error_detail (self, message, NULL);
}

/**
 * ka_vote_bar_set_error_detail:
 * @message: (nullable): a sentence for the voter, or %NULL to hide the error line
 * @detail: (nullable): the technical reason (e.g. the database's message), shown dimmed
 *   under @message; it must never name a model
 */
void
ka_vote_bar_set_error_detail (KaVoteBar  *self,
                              const char *message,
                              const char *detail)
{
  gboolean shown;

  g_return_if_fail (KA_IS_VOTE_BAR (self));

  shown = message != NULL && *message != '\0';
  if (!shown || detail == NULL)
    detail = "";

  gtk_label_set_text (self->error_label, shown ? message : "");
  gtk_label_set_text (self->error_detail_label, detail);
  gtk_widget_set_visible (GTK_WIDGET (self->error_detail_label), *detail != '\0');
  gtk_revealer_set_reveal_child (self->error_revealer, shown);
}

/* Returns: (nullable): the technical detail shown under the error, or NULL when none is. */
const char *
ka_vote_bar_get_error_detail (KaVoteBar *self)
{
  g_return_val_if_fail (KA_IS_VOTE_BAR (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->error_revealer) ||
      !gtk_widget_get_visible (GTK_WIDGET (self->error_detail_label)))
    return NULL;

  return gtk_label_get_text (self->error_detail_label);
}

/* Returns: (nullable): the error shown, or NULL when none is. */
const char *
ka_vote_bar_get_error (KaVoteBar *self)
{
  g_return_val_if_fail (KA_IS_VOTE_BAR (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->error_revealer))
    return NULL;

  return gtk_label_get_text (self->error_label);
}

const char *
ka_vote_bar_get_result (KaVoteBar *self)
{
  g_return_val_if_fail (KA_IS_VOTE_BAR (self), NULL);

  return gtk_label_get_text (self->result_label);
}

gboolean
ka_vote_bar_is_revealed (KaVoteBar *self)
{
  g_return_val_if_fail (KA_IS_VOTE_BAR (self), FALSE);

  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "result") == 0;
}

/* Focuses the first vote button while voting, "Next battle" after the reveal. */
gboolean
ka_vote_bar_focus_default (KaVoteBar *self)
{
  g_return_val_if_fail (KA_IS_VOTE_BAR (self), FALSE);

  if (ka_vote_bar_is_revealed (self))
    return gtk_widget_grab_focus (GTK_WIDGET (self->next_button));

  return gtk_widget_grab_focus (GTK_WIDGET (self->vote_a_button));
}
