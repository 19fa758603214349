/* ka-battle-view.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-battle-view"

#include "config.h"

#include <glib/gi18n.h>

#include "ka-battle-panes.h"
#include "ka-battle-view.h"
#include "ka-height-clamp.h"
#include "ka-markdown.h"
#include "ka-response-view.h"
#include "ka-sync.h"
#include "ka-vote-bar.h"

/* The prompt area's height limit at 100 % text size, in pixels; longer prompts scroll. */
#define PROMPT_MAX_HEIGHT 180

struct _KaBattleView
{
  AdwBin             parent_instance;

  /* template widgets */
  GtkLabel          *prompt_heading;
  KaHeightClamp     *prompt_clamp;
  GtkScrolledWindow *prompt_scroller;
  GtkBox            *prompt_turns;
  KaBattlePanes     *panes;
  KaResponseView    *response_a;
  KaResponseView    *response_b;
  KaVoteBar         *vote_bar;

  /* owned */
  KaSession         *session;
  GSignalGroup      *session_signals;
  KaSync            *sync;             /* (nullable): background sync (issue 3) */
  GSignalGroup      *sync_signals;
  GCancellable      *cancellable;
  KaBattle          *shown_battle;     /* the battle whose text is on screen */
  char              *revealed_ballot;  /* ballot_id whose names are on screen */
  gboolean           names_pending;    /* sealed: revealed_ballot still waits for names */
  double             text_scale;
  gboolean           committing;       /* a vote is in flight: refuse another one */
};

G_DEFINE_FINAL_TYPE (KaBattleView, ka_battle_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_TEXT_SCALE,
  PROP_SYNC,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const struct {
  const char *action;
  KaWinner    winner;
} vote_actions[] = {
  { "battle.vote-a", KA_WINNER_MODEL_A },
  { "battle.vote-b", KA_WINNER_MODEL_B },
  { "battle.vote-tie", KA_WINNER_TIE },
  { "battle.vote-both-bad", KA_WINNER_BOTH_BAD },
};

static KaSessionState
get_state (KaBattleView *self)
{
  return self->session != NULL ? ka_session_get_state (self->session) : KA_SESSION_STATE_IDLE;
}

static void
update_actions (KaBattleView *self)
{
  KaSessionState state = get_state (self);
  gboolean can_vote = state == KA_SESSION_STATE_VOTING && !self->committing;

  for (guint i = 0; i < G_N_ELEMENTS (vote_actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), vote_actions[i].action, can_vote);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "battle.next",
                                 state == KA_SESSION_STATE_REVEALED && !self->committing);
}

static void
scroll_to_top (GtkScrolledWindow *scroller)
{
  GtkAdjustment *adj;

  if (scroller == NULL)
    return;

  adj = gtk_scrolled_window_get_vadjustment (scroller);
  gtk_adjustment_set_value (adj, gtk_adjustment_get_lower (adj));
  adj = gtk_scrolled_window_get_hadjustment (scroller);
  gtk_adjustment_set_value (adj, gtk_adjustment_get_lower (adj));
}

static void
scroll_response_to_top (KaResponseView *view)
{
  GtkWidget *scroller;

  scroller = gtk_widget_get_ancestor (GTK_WIDGET (ka_response_view_get_text_view (view)),
                                      GTK_TYPE_SCROLLED_WINDOW);
  scroll_to_top (GTK_SCROLLED_WINDOW (scroller));
}

static void
apply_text_scale (GtkLabel *label,
                  double    scale)
{
  g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_scale_new (scale));
  gtk_label_set_attributes (label, attrs);
}

static void
prompt_label_focus_leave_cb (GtkLabel *label)
{
  gtk_label_select_region (label, 0, 0);
}

static GtkWidget *
add_prompt_label (KaBattleView *self,
                  const char   *text,
                  gboolean      heading)
{
  GtkWidget *label = gtk_label_new (NULL);

  /* Pack text is untrusted: plain text, never markup or mnemonics. */
  gtk_label_set_text (GTK_LABEL (label), text);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);

  if (heading)
    gtk_widget_add_css_class (label, "heading");
  else
    {
      GtkEventController *focus = gtk_event_controller_focus_new ();

      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      /* GTK 4.8 selects a selectable label's whole text when Tab focuses it, and the grey
       * highlight stayed after the focus moved on: clear it on the way out. */
      g_signal_connect_swapped (focus, "leave", G_CALLBACK (prompt_label_focus_leave_cb), label);
      gtk_widget_add_controller (label, focus);
    }

  apply_text_scale (GTK_LABEL (label), self->text_scale);
  gtk_box_append (self->prompt_turns, label);

  return label;
}

static void
show_prompt (KaBattleView       *self,
             const KaPackPrompt *prompt)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->prompt_turns))) != NULL)
    gtk_box_remove (self->prompt_turns, child);

  if (prompt == NULL)
    return;

  gtk_label_set_text (self->prompt_heading,
                      prompt->n_turns > 1 ? _("Questions") : _("Question"));

  for (guint i = 0; i < prompt->n_turns; i++)
    {
      g_autofree char *clean = ka_text_sanitize (prompt->turns[i], -1);

      if (prompt->n_turns > 1)
        {
          g_autofree char *heading = NULL;

          /* Translators: heading above each user turn of a multi-turn prompt */
          heading = g_strdup_printf (_("Question %u"), i + 1);
          add_prompt_label (self, heading, TRUE);
        }

      add_prompt_label (self, clean != NULL ? clean : "", FALSE);
    }
}

static void
show_battle (KaBattleView *self,
             KaBattle     *battle)
{
  g_set_object (&self->shown_battle, battle);
  g_clear_pointer (&self->revealed_ballot, g_free);
  self->names_pending = FALSE;

  ka_response_view_clear (self->response_a);
  ka_response_view_clear (self->response_b);

  if (battle == NULL)
    {
      show_prompt (self, NULL);
      return;
    }

  show_prompt (self, ka_battle_get_prompt (battle));
  ka_response_view_set_response (self->response_a,
                                 ka_battle_get_prompt (battle),
                                 ka_battle_get_response_a (battle));
  ka_response_view_set_response (self->response_b,
                                 ka_battle_get_prompt (battle),
                                 ka_battle_get_response_b (battle));

  scroll_to_top (self->prompt_scroller);
  scroll_response_to_top (self->response_a);
  scroll_response_to_top (self->response_b);
}

static char *
format_choice (KaWinner           winner,
               const KaPackModel *model_a,
               const KaPackModel *model_b)
{
  switch (winner)
    {
    case KA_WINNER_MODEL_A:
      if (model_a != NULL)
        /* Translators: %s is the name of the model that wrote answer A */
        return g_strdup_printf (_("You chose Model A: %s."), model_a->display_name);
      return g_strdup (_("You chose Model A."));

    case KA_WINNER_MODEL_B:
      if (model_b != NULL)
        /* Translators: %s is the name of the model that wrote answer B */
        return g_strdup_printf (_("You chose Model B: %s."), model_b->display_name);
      return g_strdup (_("You chose Model B."));

    case KA_WINNER_TIE:
      return g_strdup (_("You voted that both answers are equally good."));

    case KA_WINNER_BOTH_BAD:
      return g_strdup (_("You voted that both answers are bad."));

    default:
      g_assert_not_reached ();
    }
}

/* Shows who answered and what the voter chose. @model_a / @model_b are %NULL when the
 * names are not known (a sealed pack before its receipt); @placeholder says why. */
static void
show_reveal (KaBattleView      *self,
             const KaBallot    *ballot,
             const KaPackModel *model_a,
             const KaPackModel *model_b,
             const char        *placeholder)
{
  const char *verdict_a = NULL, *verdict_b = NULL;
  g_autofree char *choice = NULL;

  switch (ballot->winner)
    {
    case KA_WINNER_MODEL_A:
      verdict_a = _("Your choice");
      break;

    case KA_WINNER_MODEL_B:
      verdict_b = _("Your choice");
      break;

    case KA_WINNER_TIE:
      verdict_a = verdict_b = _("Tie");
      break;

    case KA_WINNER_BOTH_BAD:
      verdict_a = verdict_b = _("Both are bad");
      break;

    default:
      g_assert_not_reached ();
    }

  ka_response_view_reveal (self->response_a,
                           model_a != NULL ? model_a->display_name : placeholder,
                           model_a != NULL ? model_a->organisation : NULL,
                           ballot->winner == KA_WINNER_MODEL_A,
                           verdict_a);
  ka_response_view_reveal (self->response_b,
                           model_b != NULL ? model_b->display_name : placeholder,
                           model_b != NULL ? model_b->organisation : NULL,
                           ballot->winner == KA_WINNER_MODEL_B,
                           verdict_b);

  choice = format_choice (ballot->winner, model_a, model_b);
  ka_vote_bar_show_result (self->vote_bar, choice);
}

/* The ballot on screen, if its names may be shown: committed (REVEALED) and the one that
 * reveal() showed. Anything else is not this view's business. */
static const KaBallot *
revealed_ballot (KaBattleView *self)
{
  const KaBallot *ballot;

  if (self->session == NULL || self->revealed_ballot == NULL ||
      ka_session_get_state (self->session) != KA_SESSION_STATE_REVEALED)
    return NULL;

  ballot = ka_session_get_ballot (self->session);
  if (ballot == NULL || g_strcmp0 (ballot->ballot_id, self->revealed_ballot) != 0)
    return NULL;

  return ballot;
}

/* A sealed pack's names come from the collector's receipt, stored with the ballot
 * (docs/protocol.md §6.3). Returns whether both names were there and are now shown. */
static gboolean
show_names_from_store (KaBattleView   *self,
                       const KaBallot *ballot)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name_a = NULL;
  g_autofree char *name_b = NULL;
  KaPackModel model_a = { 0 }, model_b = { 0 };

  if (!ka_store_get_reveal (ka_session_get_store (self->session), ballot->ballot_id,
                            &name_a, &name_b, &error))
    {
      g_warning ("Could not read the names revealed for ballot %s: %s",
                 ballot->ballot_id, error->message);
      return FALSE;
    }

  if (name_a == NULL || name_b == NULL)
    return FALSE;

  model_a.display_name = name_a;
  model_b.display_name = name_b;
  show_reveal (self, ballot, &model_a, &model_b, NULL);
  self->names_pending = FALSE;
  return TRUE;
}

/* Only ever called in the REVEALED state, i.e. after the ballot's transaction has
 * committed (DESIGN.md §6, §7): the first moment any widget may hold a model name. */
static void
reveal (KaBattleView *self)
{
  const KaBallot *ballot = ka_session_get_ballot (self->session);
  KaBattle *battle = ka_session_get_battle (self->session);

  if (ballot == NULL || battle == NULL)
    return;

  if (g_strcmp0 (self->revealed_ballot, ballot->ballot_id) == 0)
    return;

  /* The ballot must be about what is on screen, left and right alike. */
  g_return_if_fail (g_strcmp0 (ballot->response_a,
                               ka_battle_get_response_a (battle)->response_id) == 0);
  g_return_if_fail (g_strcmp0 (ballot->response_b,
                               ka_battle_get_response_b (battle)->response_id) == 0);

  g_free (self->revealed_ballot);
  self->revealed_ballot = g_strdup (ballot->ballot_id);
  self->names_pending = FALSE;

  if (!ka_pack_is_sealed (ka_battle_get_pack (battle)))
    {
      show_reveal (self, ballot, ka_battle_get_model_a (battle),
                   ka_battle_get_model_b (battle), NULL);
      return;
    }

  /* Sealed: the device cannot know who answered until a receipt says so; a ballot that
   * was delivered already (say the window was rebuilt) has its names in the store. */
  if (!show_names_from_store (self, ballot))
    {
      self->names_pending = TRUE;
      show_reveal (self, ballot, NULL, NULL, _("Names will appear after sync"));
    }
}

/* A receipt was stored: if it settled the ballot on screen, show what it revealed. */
static void
ballots_settled_cb (KaBattleView       *self,
                    const char * const *delivered,
                    const char * const *rejected)
{
  const KaBallot *ballot = revealed_ballot (self);

  if (ballot == NULL || !self->names_pending)
    return;

  if (delivered != NULL && g_strv_contains (delivered, ballot->ballot_id))
    {
      show_names_from_store (self, ballot);
    }
  else if (rejected != NULL && g_strv_contains (rejected, ballot->ballot_id))
    {
      /* A quarantined ballot gets no names (protocol §6.2). */
      self->names_pending = FALSE;
      show_reveal (self, ballot, NULL, NULL,
                   _("Names not revealed: the collector set this ballot aside"));
    }
}

static void
sync_from_session (KaBattleView *self)
{
  KaBattle *battle = self->session != NULL ? ka_session_get_battle (self->session) : NULL;
  KaSessionState state = get_state (self);

  if (battle != self->shown_battle)
    show_battle (self, battle);

  switch (state)
    {
    case KA_SESSION_STATE_VOTING:
      ka_vote_bar_show_voting (self->vote_bar, self->committing);
      break;

    case KA_SESSION_STATE_COMMITTING:
      ka_vote_bar_show_voting (self->vote_bar, TRUE);
      break;

    case KA_SESSION_STATE_REVEALED:
      reveal (self);
      break;

    case KA_SESSION_STATE_IDLE:
    case KA_SESSION_STATE_EXHAUSTED:
    default:
      ka_vote_bar_show_voting (self->vote_bar, FALSE);
      break;
    }

  update_actions (self);
}

/* One vote in flight: the view (kept alive until the answer) and the application, held
 * so that the process outlives the window until the commit has finished. */
typedef struct
{
  KaBattleView *self;
  GApplication *app;   /* (nullable) */
} VoteCall;

static void
vote_call_free (VoteCall *call)
{
  if (call->app != NULL)
    {
      g_application_release (call->app);
      g_object_unref (call->app);
    }
  g_object_unref (call->self);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VoteCall, vote_call_free)

static void
vote_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(VoteCall) call = user_data;
  KaBattleView *self = call->self;
  g_autoptr(KaBallot) ballot = NULL;
  g_autoptr(GError) error = NULL;
  GtkRoot *root;
  GtkWidget *focus = NULL;
  gboolean in_view, in_bar;

  ballot = ka_session_vote_finish (KA_SESSION (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* The view may have been given another session meanwhile. */
  if (self->session != KA_SESSION (object))
    return;

  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (root != NULL)
    focus = gtk_root_get_focus (root);
  in_view = focus == NULL || gtk_widget_is_ancestor (focus, GTK_WIDGET (self));
  in_bar = focus == NULL || gtk_widget_is_ancestor (focus, GTK_WIDGET (self->vote_bar));

  self->committing = FALSE;

  if (ballot == NULL)
    {
      g_warning ("Could not record the vote: %s", error->message);
      /* The voter gets a plain sentence; the database's own words go on a dim second
       * line for whoever has to fix it. They never name a model. */
      ka_vote_bar_set_error_detail (self->vote_bar,
                                    _("Your vote could not be saved, so nothing was recorded. "
                                      "Please try again."),
                                    error->message);
    }

  sync_from_session (self);

  /* The ballot is committed: send it soon (and fetch its names, for a sealed pack). */
  if (ballot != NULL && self->sync != NULL)
    ka_sync_request_sync (self->sync);

  /* After the reveal "Next battle" is the only thing left to do, so it takes the focus
   * from wherever it was in the battle (e.g. an answer the voter clicked into); after a
   * failure the focus only moves if it was on a vote button that went insensitive. */
  if ((ballot != NULL && in_view) || in_bar)
    ka_vote_bar_focus_default (self->vote_bar);
}

static void
vote_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  KaBattleView *self = KA_BATTLE_VIEW (widget);
  KaWinner winner = KA_WINNER_TIE;
  gboolean found = FALSE;
  VoteCall *call;

  for (guint i = 0; i < G_N_ELEMENTS (vote_actions); i++)
    {
      if (g_str_equal (action_name, vote_actions[i].action))
        {
          winner = vote_actions[i].winner;
          found = TRUE;
        }
    }

  g_return_if_fail (found);

  if (self->committing || get_state (self) != KA_SESSION_STATE_VOTING)
    return;

  /* Refuse a second vote at once, before the session has even changed state. */
  self->committing = TRUE;
  ka_vote_bar_set_error (self->vote_bar, NULL);
  update_actions (self);

  call = g_new0 (VoteCall, 1);
  call->self = g_object_ref (self);
  /* Closing the window must not end the process in the middle of the commit. */
  call->app = g_application_get_default ();
  if (call->app != NULL)
    g_application_hold (g_object_ref (call->app));

  ka_session_vote_async (self->session, winner, self->cancellable, vote_cb, call);
  sync_from_session (self);
}

static void
next_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  KaBattleView *self = KA_BATTLE_VIEW (widget);
  g_autoptr(GError) error = NULL;

  if (get_state (self) != KA_SESSION_STATE_REVEALED)
    return;

  if (!ka_battle_view_next_battle (self, &error))
    {
      g_autofree char *message = NULL;

      g_warning ("Could not show the next battle: %s", error->message);
      /* Translators: %s is a technical reason, e.g. from the database */
      message = g_strdup_printf (_("The next battle could not be shown: %s"), error->message);
      ka_vote_bar_set_error (self->vote_bar, message);
      return;
    }

  /* When the pack is used up the window shows its "done" page and places the focus. */
  if (get_state (self) == KA_SESSION_STATE_VOTING)
    ka_battle_view_focus_default (self);
}

static void
session_changed_cb (KaBattleView *self)
{
  sync_from_session (self);
}

static void
ka_battle_view_dispose (GObject *object)
{
  KaBattleView *self = KA_BATTLE_VIEW (object);

  g_cancellable_cancel (self->cancellable);

  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);
  if (self->sync_signals != NULL)
    g_signal_group_set_target (self->sync_signals, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), KA_TYPE_BATTLE_VIEW);

  g_clear_object (&self->session_signals);
  g_clear_object (&self->session);
  g_clear_object (&self->sync_signals);
  g_clear_object (&self->sync);
  g_clear_object (&self->shown_battle);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ka_battle_view_parent_class)->dispose (object);
}

static void
ka_battle_view_finalize (GObject *object)
{
  KaBattleView *self = KA_BATTLE_VIEW (object);

  g_clear_pointer (&self->revealed_ballot, g_free);

  G_OBJECT_CLASS (ka_battle_view_parent_class)->finalize (object);
}

static void
ka_battle_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  KaBattleView *self = KA_BATTLE_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_TEXT_SCALE:
      g_value_set_double (value, self->text_scale);
      break;

    case PROP_SYNC:
      g_value_set_object (value, self->sync);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_battle_view_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  KaBattleView *self = KA_BATTLE_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      ka_battle_view_set_session (self, g_value_get_object (value));
      break;

    case PROP_TEXT_SCALE:
      ka_battle_view_set_text_scale (self, g_value_get_double (value));
      break;

    case PROP_SYNC:
      ka_battle_view_set_sync (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static const struct {
  guint       keyval;
  const char *action;
} window_keys[] = {
  { GDK_KEY_1, "battle.vote-a" },
  { GDK_KEY_KP_1, "battle.vote-a" },
  { GDK_KEY_2, "battle.vote-b" },
  { GDK_KEY_KP_2, "battle.vote-b" },
  { GDK_KEY_3, "battle.vote-tie" },
  { GDK_KEY_KP_3, "battle.vote-tie" },
  { GDK_KEY_4, "battle.vote-both-bad" },
  { GDK_KEY_KP_4, "battle.vote-both-bad" },
  { GDK_KEY_n, "battle.next" },
};

/* Whether a key press for the battle must be left to the focused widget: text entry
 * (e.g. the kiosk's PIN entry) and open menus and popovers keep their keys. */
static gboolean
focus_keeps_keys (KaBattleView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  if (focus == NULL)
    return FALSE;

  if (GTK_IS_EDITABLE (focus) || gtk_widget_get_ancestor (focus, GTK_TYPE_POPOVER) != NULL)
    return TRUE;

  return GTK_IS_TEXT_VIEW (focus) && gtk_text_view_get_editable (GTK_TEXT_VIEW (focus));
}

/* Tab or Shift+Tab while nothing in the window has the focus, as at the start of every
 * battle (ka_battle_view_focus_default()): the focus enters the battle at its first
 * widget (the prompt, then answer A, answer B and the vote buttons) or, backwards, at its
 * last. GtkWindow alone would start from the header bar. With a focus anywhere, Tab is
 * GTK's own. */
static gboolean
tab_entered_cb (GtkWidget *widget,
                GVariant  *args,
                gpointer   user_data)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkDirectionType direction = GPOINTER_TO_INT (user_data);

  if (root == NULL || gtk_root_get_focus (root) != NULL || !gtk_widget_is_drawable (widget))
    return FALSE;

  if (!gtk_widget_child_focus (widget, direction))
    return FALSE;

  gtk_window_set_focus_visible (GTK_WINDOW (root), TRUE);
  return TRUE;
}

/* A vote or "next" key pressed anywhere in the window. Returns %FALSE, so the key goes on
 * to the focused widget, when the action cannot apply now. */
static gboolean
window_key_cb (GtkWidget *widget,
               GVariant  *args,
               gpointer   user_data)
{
  KaBattleView *self = KA_BATTLE_VIEW (widget);
  const char *action = user_data;
  KaSessionState wanted;

  wanted = g_str_equal (action, "battle.next") ? KA_SESSION_STATE_REVEALED
                                                : KA_SESSION_STATE_VOTING;
  if (self->committing || get_state (self) != wanted || focus_keeps_keys (self))
    return FALSE;

  return gtk_widget_activate_action (widget, action, NULL);
}

static void
ka_battle_view_class_init (KaBattleViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ka_battle_view_dispose;
  object_class->finalize = ka_battle_view_finalize;
  object_class->get_property = ka_battle_view_get_property;
  object_class->set_property = ka_battle_view_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         KA_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_TEXT_SCALE] =
    g_param_spec_double ("text-scale", NULL, NULL,
                         0.75, 2.0, 1.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /* The background sync (nullable): told after each committed vote; its receipts bring
   * the names of a sealed pack's models. */
  properties[PROP_SYNC] =
    g_param_spec_object ("sync", NULL, NULL,
                         KA_TYPE_SYNC,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (KA_TYPE_BATTLE_PANES);
  g_type_ensure (KA_TYPE_HEIGHT_CLAMP);
  g_type_ensure (KA_TYPE_RESPONSE_VIEW);
  g_type_ensure (KA_TYPE_VOTE_BAR);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kaiarena/Arena/ui/ka-battle-view.ui");
  gtk_widget_class_bind_template_child (widget_class, KaBattleView, prompt_heading);
  gtk_widget_class_bind_template_child (widget_class, KaBattleView, prompt_clamp);
  gtk_widget_class_bind_template_child (widget_class, KaBattleView, prompt_scroller);
  gtk_widget_class_bind_template_child (widget_class, KaBattleView, prompt_turns);
  gtk_widget_class_bind_template_child (widget_class, KaBattleView, panes);
  gtk_widget_class_bind_template_child (widget_class, KaBattleView, response_a);
  gtk_widget_class_bind_template_child (widget_class, KaBattleView, response_b);
  gtk_widget_class_bind_template_child (widget_class, KaBattleView, vote_bar);

  for (guint i = 0; i < G_N_ELEMENTS (vote_actions); i++)
    gtk_widget_class_install_action (widget_class, vote_actions[i].action, NULL, vote_activated);
  gtk_widget_class_install_action (widget_class, "battle.next", NULL, next_activated);


  gtk_widget_class_set_css_name (widget_class, "battleview");
}

static void
ka_battle_view_init (KaBattleView *self)
{
  static const guint enter_keys[] = { GDK_KEY_Return, GDK_KEY_KP_Enter, GDK_KEY_ISO_Enter };
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->text_scale = 1.0;
  self->cancellable = g_cancellable_new ();

  /* The vote keys work wherever the focus is in the window (say on the header bar's menu
   * button after a dialog closed), so their controller is managed by the window; in the
   * bubble phase, after the focused widget: an entry still types its digits. Enter goes
   * to the next battle even when the focus is in an answer's text view, which would
   * swallow it in the bubble phase, hence the capture phase. The actions are disabled
   * when they cannot apply, so the keys then reach the focused widget (e.g. Enter
   * activates a vote button). Neither fires while the battle view is not mapped. */
  controller = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller),
                                     GTK_SHORTCUT_SCOPE_MANAGED);
  for (guint i = 0; i < G_N_ELEMENTS (window_keys); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (window_keys[i].keyval, 0),
                                                            gtk_callback_action_new (window_key_cb,
                                                                                     (gpointer) window_keys[i].action,
                                                                                     NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller),
                                     GTK_SHORTCUT_SCOPE_MANAGED);
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  for (guint i = 0; i < G_N_ELEMENTS (enter_keys); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (enter_keys[i], 0),
                                                            gtk_callback_action_new (window_key_cb,
                                                                                     (gpointer) "battle.next",
                                                                                     NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  /* Tab with nothing focused (the start of a battle): managed by the window like the vote
   * keys, in the capture phase so that it comes before GtkWindow's own Tab binding. */
  {
    static const struct {
      guint            keyval;
      GdkModifierType  mods;
      GtkDirectionType direction;
    } tab_keys[] = {
      { GDK_KEY_Tab, 0, GTK_DIR_TAB_FORWARD },
      { GDK_KEY_KP_Tab, 0, GTK_DIR_TAB_FORWARD },
      { GDK_KEY_Tab, GDK_SHIFT_MASK, GTK_DIR_TAB_BACKWARD },
      { GDK_KEY_KP_Tab, GDK_SHIFT_MASK, GTK_DIR_TAB_BACKWARD },
      { GDK_KEY_ISO_Left_Tab, GDK_SHIFT_MASK, GTK_DIR_TAB_BACKWARD },
    };

    controller = gtk_shortcut_controller_new ();
    gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller),
                                       GTK_SHORTCUT_SCOPE_MANAGED);
    gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
    for (guint i = 0; i < G_N_ELEMENTS (tab_keys); i++)
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                            gtk_shortcut_new (gtk_keyval_trigger_new (tab_keys[i].keyval,
                                                                                      tab_keys[i].mods),
                                                              gtk_callback_action_new (tab_entered_cb,
                                                                                       GINT_TO_POINTER (tab_keys[i].direction),
                                                                                       NULL)));
    gtk_widget_add_controller (GTK_WIDGET (self), controller);
  }

  g_object_bind_property (self, "text-scale", self->response_a, "text-scale",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self, "text-scale", self->response_b, "text-scale",
                          G_BINDING_SYNC_CREATE);

  self->session_signals = g_signal_group_new (KA_TYPE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "notify::state",
                                  G_CALLBACK (session_changed_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::battle",
                                  G_CALLBACK (session_changed_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::ballot",
                                  G_CALLBACK (session_changed_cb), self);

  self->sync_signals = g_signal_group_new (KA_TYPE_SYNC);
  g_signal_group_connect_swapped (self->sync_signals, "ballots-settled",
                                  G_CALLBACK (ballots_settled_cb), self);

  update_actions (self);
}

GtkWidget *
ka_battle_view_new (void)
{
  return g_object_new (KA_TYPE_BATTLE_VIEW, NULL);
}

KaSession *
ka_battle_view_get_session (KaBattleView *self)
{
  g_return_val_if_fail (KA_IS_BATTLE_VIEW (self), NULL);

  return self->session;
}

void
ka_battle_view_set_session (KaBattleView *self,
                            KaSession    *session)
{
  g_return_if_fail (KA_IS_BATTLE_VIEW (self));
  g_return_if_fail (session == NULL || KA_IS_SESSION (session));

  if (self->session == session)
    return;

  /* A vote in flight belongs to the old session: forget it. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->committing = FALSE;

  g_set_object (&self->session, session);
  g_signal_group_set_target (self->session_signals, session);
  ka_vote_bar_set_error (self->vote_bar, NULL);
  sync_from_session (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

KaSync *
ka_battle_view_get_sync (KaBattleView *self)
{
  g_return_val_if_fail (KA_IS_BATTLE_VIEW (self), NULL);

  return self->sync;
}

/**
 * ka_battle_view_set_sync:
 * @sync: (nullable): the background sync, or %NULL when there is none
 *
 * After each committed vote the view asks @sync to run (ka_sync_request_sync()); when a
 * receipt settles the ballot on screen of a sealed pack, the names it revealed replace
 * "Names will appear after sync".
 */
void
ka_battle_view_set_sync (KaBattleView *self,
                         KaSync       *sync)
{
  g_return_if_fail (KA_IS_BATTLE_VIEW (self));
  g_return_if_fail (sync == NULL || KA_IS_SYNC (sync));

  if (!g_set_object (&self->sync, sync))
    return;

  g_signal_group_set_target (self->sync_signals, sync);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC]);
}

double
ka_battle_view_get_text_scale (KaBattleView *self)
{
  g_return_val_if_fail (KA_IS_BATTLE_VIEW (self), 1.0);

  return self->text_scale;
}

void
ka_battle_view_set_text_scale (KaBattleView *self,
                               double        scale)
{
  g_return_if_fail (KA_IS_BATTLE_VIEW (self));

  scale = CLAMP (scale, 0.75, 2.0);
  if (G_APPROX_VALUE (self->text_scale, scale, 0.0001))
    return;

  self->text_scale = scale;
  ka_height_clamp_set_max_height (self->prompt_clamp, (int) (PROMPT_MAX_HEIGHT * scale));
  apply_text_scale (self->prompt_heading, scale);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->prompt_turns));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    apply_text_scale (GTK_LABEL (child), scale);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT_SCALE]);
}

/**
 * ka_battle_view_next_battle:
 *
 * Asks the session for the next battle. Running out of prompts is not an error: the
 * session goes to %KA_SESSION_STATE_EXHAUSTED and the window shows its "done" page.
 *
 * Returns: %FALSE with @error set if the session failed (e.g. the store refused to record
 *   the battle).
 */
gboolean
ka_battle_view_next_battle (KaBattleView  *self,
                            GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (KA_IS_BATTLE_VIEW (self), FALSE);
  g_return_val_if_fail (self->session != NULL, FALSE);

  ka_vote_bar_set_error (self->vote_bar, NULL);

  if (!ka_session_next_battle (self->session, &local_error))
    {
      /* A pack with nothing schedulable at all is an error, not a finished session. */
      if (local_error == NULL ||
          g_error_matches (local_error, KA_SCHEDULER_ERROR, KA_SCHEDULER_ERROR_EXHAUSTED))
        {
          sync_from_session (self);
          return TRUE;
        }

      g_propagate_error (error, g_steal_pointer (&local_error));
      sync_from_session (self);
      return FALSE;
    }

  sync_from_session (self);

  return TRUE;
}

/**
 * ka_battle_view_focus_default:
 *
 * Puts the keyboard focus where a battle or a result starts. While voting that is
 * nowhere: the window's focus is unset (gtk_window_set_focus() with %NULL). Focusing
 * answer A drew a focus ring around A alone, a cue that tells A from B in a blind vote
 * (DESIGN.md §7, issue 9), and focusing a vote button would let Enter or Space cast a
 * vote nobody chose. The keys 1–4 still vote from there (the view's window-wide
 * shortcuts), and Tab enters the battle at the prompt (Shift+Tab at the last vote
 * button), see tab_entered_cb(). After a vote "Next battle" takes the focus.
 *
 * Returns: %TRUE if the focus is where it should be
 */
gboolean
ka_battle_view_focus_default (KaBattleView *self)
{
  GtkRoot *root;

  g_return_val_if_fail (KA_IS_BATTLE_VIEW (self), FALSE);

  if (ka_vote_bar_is_revealed (self->vote_bar))
    return ka_vote_bar_focus_default (self->vote_bar);

  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (root == NULL)
    return FALSE;

  gtk_root_set_focus (root, NULL);
  return TRUE;
}
