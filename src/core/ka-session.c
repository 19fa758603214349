/* ka-session.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-session"

#include "config.h"

#include "ka-session.h"

struct _KaSession
{
  GObject parent_instance;

  /* owned, construct-only */
  KaStore         *store;
  KaScheduler     *scheduler;
  KaMode           mode;
  char            *ui_language;

  /* owned */
  KaIdentityGuard *guard;         /* (nullable): overrides the scheduler's guard at vote time */
  char            *id;
  KaSessionState   state;
  KaBattle        *battle;        /* (nullable) */
  KaBallot        *ballot;        /* (nullable): the committed ballot of @battle */
  char            *shown_at;      /* (nullable): RFC 3339 time @battle was shown */
  gint64           shown_usec;    /* monotonic time @battle was shown */

  /* Bumped whenever the battle on show changes, so that a commit finishing after a
   * reset (kiosk wipe) does not touch the new state. */
  guint            generation;
};

G_DEFINE_FINAL_TYPE (KaSession, ka_session, G_TYPE_OBJECT)

G_DEFINE_QUARK (ka-session-error-quark, ka_session_error)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SCHEDULER,
  PROP_MODE,
  PROP_UI_LANGUAGE,
  PROP_ID,
  PROP_STATE,
  PROP_BATTLE,
  PROP_BALLOT,
  PROP_GUARD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Strings of a vote being committed asynchronously, kept alive for the store. */
typedef struct
{
  char         *battle_id;
  char         *session_id;
  char         *pack_id;
  char         *prompt_id;
  char         *response_a;
  char         *response_b;
  char         *shown_at;
  char         *voted_at;
  char         *ui_language;
  KaWinner      winner;
  KaMode        mode;
  gint64        decision_ms;
  gboolean      identity_flag;
  guint         generation;
  KaBallotDraft draft;
} VoteData;

static void
vote_data_free (VoteData *data)
{
  g_free (data->battle_id);
  g_free (data->session_id);
  g_free (data->pack_id);
  g_free (data->prompt_id);
  g_free (data->response_a);
  g_free (data->response_b);
  g_free (data->shown_at);
  g_free (data->voted_at);
  g_free (data->ui_language);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VoteData, vote_data_free)

static void
set_state (KaSession      *self,
           KaSessionState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_battle (KaSession *self,
            KaBattle  *battle)
{
  if (g_set_object (&self->battle, battle))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BATTLE]);
}

static void
take_ballot (KaSession *self,
             KaBallot  *ballot)
{
  if (self->ballot == NULL && ballot == NULL)
    return;

  g_clear_pointer (&self->ballot, ka_ballot_free);
  self->ballot = ballot;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BALLOT]);
}

static void
ka_session_dispose (GObject *object)
{
  KaSession *self = KA_SESSION (object);

  g_clear_object (&self->battle);
  g_clear_object (&self->guard);
  g_clear_object (&self->scheduler);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ka_session_parent_class)->dispose (object);
}

static void
ka_session_finalize (GObject *object)
{
  KaSession *self = KA_SESSION (object);

  g_clear_pointer (&self->ballot, ka_ballot_free);
  g_clear_pointer (&self->shown_at, g_free);
  g_clear_pointer (&self->ui_language, g_free);
  g_clear_pointer (&self->id, g_free);

  G_OBJECT_CLASS (ka_session_parent_class)->finalize (object);
}

static void
ka_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  KaSession *self = KA_SESSION (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_SCHEDULER:
      g_value_set_object (value, self->scheduler);
      break;

    case PROP_MODE:
      g_value_set_int (value, self->mode);
      break;

    case PROP_UI_LANGUAGE:
      g_value_set_string (value, self->ui_language);
      break;

    case PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;

    case PROP_BATTLE:
      g_value_set_object (value, self->battle);
      break;

    case PROP_BALLOT:
      g_value_set_boxed (value, self->ballot);
      break;

    case PROP_GUARD:
      g_value_set_object (value, self->guard);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_session_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  KaSession *self = KA_SESSION (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_SCHEDULER:
      self->scheduler = g_value_dup_object (value);
      break;

    case PROP_MODE:
      self->mode = g_value_get_int (value);
      break;

    case PROP_UI_LANGUAGE:
      g_free (self->ui_language);
      self->ui_language = g_value_dup_string (value);
      if (self->ui_language == NULL)
        self->ui_language = g_strdup ("ko");
      break;

    case PROP_GUARD:
      ka_session_set_guard (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_session_class_init (KaSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ka_session_dispose;
  object_class->finalize = ka_session_finalize;
  object_class->get_property = ka_session_get_property;
  object_class->set_property = ka_session_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         KA_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SCHEDULER] =
    g_param_spec_object ("scheduler", NULL, NULL,
                         KA_TYPE_SCHEDULER,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* A #KaMode; KaMode has no registered GType, hence an int. */
  properties[PROP_MODE] =
    g_param_spec_int ("mode", NULL, NULL,
                      KA_MODE_CITIZEN, KA_MODE_KIOSK, KA_MODE_CITIZEN,
                      (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                       G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_UI_LANGUAGE] =
    g_param_spec_string ("ui-language", NULL, NULL,
                         "ko",
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /* A #KaSessionState. */
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL,
                      KA_SESSION_STATE_IDLE, KA_SESSION_STATE_EXHAUSTED, KA_SESSION_STATE_IDLE,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_BATTLE] =
    g_param_spec_object ("battle", NULL, NULL,
                         KA_TYPE_BATTLE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_BALLOT] =
    g_param_spec_boxed ("ballot", NULL, NULL,
                        KA_TYPE_BALLOT,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_GUARD] =
    g_param_spec_object ("guard", NULL, NULL,
                         KA_TYPE_IDENTITY_GUARD,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ka_session_init (KaSession *self)
{
  self->id = g_uuid_string_random ();
  self->state = KA_SESSION_STATE_IDLE;
  self->ui_language = g_strdup ("ko");
}

/**
 * ka_session_new:
 * @store: the store ballots and shown battles are written to
 * @scheduler: the scheduler battles come from
 * @mode: %KA_MODE_CITIZEN or %KA_MODE_KIOSK, written into each ballot
 * @ui_language: (nullable): the UI language tag written into each ballot (default "ko")
 *
 * Creates a voting session in state %KA_SESSION_STATE_IDLE with a fresh random session
 * ID (UUID v4).
 *
 * Returns: (transfer full): a new #KaSession
 */
KaSession *
ka_session_new (KaStore     *store,
                KaScheduler *scheduler,
                KaMode       mode,
                const char  *ui_language)
{
  g_return_val_if_fail (KA_IS_STORE (store), NULL);
  g_return_val_if_fail (KA_IS_SCHEDULER (scheduler), NULL);
  g_return_val_if_fail (mode == KA_MODE_CITIZEN || mode == KA_MODE_KIOSK, NULL);

  return g_object_new (KA_TYPE_SESSION,
                       "store", store,
                       "scheduler", scheduler,
                       "mode", (int) mode,
                       "ui-language", ui_language,
                       NULL);
}

/**
 * ka_session_get_id:
 * @self: a #KaSession
 *
 * Returns: (transfer none): the session ID (UUID v4); it changes on ka_session_reset()
 */
const char *
ka_session_get_id (KaSession *self)
{
  g_return_val_if_fail (KA_IS_SESSION (self), NULL);

  return self->id;
}

/**
 * ka_session_get_state:
 * @self: a #KaSession
 *
 * Returns: the state of the voting loop
 */
KaSessionState
ka_session_get_state (KaSession *self)
{
  g_return_val_if_fail (KA_IS_SESSION (self), KA_SESSION_STATE_IDLE);

  return self->state;
}

/**
 * ka_session_get_battle:
 * @self: a #KaSession
 *
 * Returns: (transfer none) (nullable): the battle on show (voting, committing or
 *   revealed), or %NULL when idle or exhausted
 */
KaBattle *
ka_session_get_battle (KaSession *self)
{
  g_return_val_if_fail (KA_IS_SESSION (self), NULL);

  return self->battle;
}

/**
 * ka_session_get_ballot:
 * @self: a #KaSession
 *
 * Returns: (transfer none) (nullable): the committed ballot of the battle on show; set
 *   only in %KA_SESSION_STATE_REVEALED
 */
const KaBallot *
ka_session_get_ballot (KaSession *self)
{
  g_return_val_if_fail (KA_IS_SESSION (self), NULL);

  return self->ballot;
}

/**
 * ka_session_get_store:
 * @self: a #KaSession
 *
 * Returns: (transfer none): the store
 */
KaStore *
ka_session_get_store (KaSession *self)
{
  g_return_val_if_fail (KA_IS_SESSION (self), NULL);

  return self->store;
}

/**
 * ka_session_get_scheduler:
 * @self: a #KaSession
 *
 * Returns: (transfer none): the scheduler
 */
KaScheduler *
ka_session_get_scheduler (KaSession *self)
{
  g_return_val_if_fail (KA_IS_SESSION (self), NULL);

  return self->scheduler;
}

/**
 * ka_session_get_mode:
 * @self: a #KaSession
 *
 * Returns: the mode written into ballots
 */
KaMode
ka_session_get_mode (KaSession *self)
{
  g_return_val_if_fail (KA_IS_SESSION (self), KA_MODE_CITIZEN);

  return self->mode;
}

/**
 * ka_session_get_ui_language:
 * @self: a #KaSession
 *
 * Returns: (transfer none): the UI language tag written into ballots
 */
const char *
ka_session_get_ui_language (KaSession *self)
{
  g_return_val_if_fail (KA_IS_SESSION (self), NULL);

  return self->ui_language;
}

/**
 * ka_session_set_guard:
 * @self: a #KaSession
 * @guard: (nullable): an identity guard, or %NULL for the scheduler's
 *
 * Sets the guard checked again at vote time. Use it when newer identity terms arrive
 * after battles were scheduled: a ballot whose battle the new guard flags is stored with
 * `identity_flag` set and left out of the leaderboard (DESIGN.md §7).
 */
void
ka_session_set_guard (KaSession       *self,
                      KaIdentityGuard *guard)
{
  g_return_if_fail (KA_IS_SESSION (self));
  g_return_if_fail (guard == NULL || KA_IS_IDENTITY_GUARD (guard));

  if (g_set_object (&self->guard, guard))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GUARD]);
}

static gboolean
flagged_now (KaSession *self)
{
  KaIdentityGuard *guard = self->guard;

  if (guard == NULL)
    guard = ka_scheduler_get_guard (self->scheduler);

  return ka_identity_guard_check_response (guard, ka_battle_get_response_a (self->battle), NULL) ||
         ka_identity_guard_check_response (guard, ka_battle_get_response_b (self->battle), NULL);
}

/* Queues "@battle shown at self->shown_at" on the store's writer thread. Without a
 * callback: nothing is left waiting in the main context (ka_session_vote() works without
 * one), and a battle the store failed to record fails its vote instead. Recording it
 * again is a no-op, so every vote queues it once more: a vote tried again after a
 * transient failure (a full disk) then finds its battle. */
static void
queue_record_battle (KaSession *self,
                     KaBattle  *battle)
{
  ka_store_record_battle_async (self->store,
                                ka_battle_get_id (battle),
                                self->id,
                                ka_pack_get_id (ka_battle_get_pack (battle)),
                                ka_battle_get_prompt (battle)->prompt_id,
                                ka_battle_get_response_a (battle)->response_id,
                                ka_battle_get_response_b (battle)->response_id,
                                self->shown_at,
                                NULL, NULL, NULL);
}

/**
 * ka_session_next_battle:
 * @self: a #KaSession
 * @error: return location for a #KaSchedulerError or #KaSessionError
 *
 * Asks the scheduler for the next battle, queues it to be recorded in the store as shown
 * (with `shown_at` = ka_timestamp_now(); ka_store_record_battle_async()), and moves to
 * %KA_SESSION_STATE_VOTING, notifying "ballot" (cleared), "battle" and "state". It never
 * waits for SQLite: the UI thread calls it, and the store's writer thread records the
 * battle before any ballot queued later (DESIGN.md §6). A battle on show but not voted is
 * abandoned. When the scheduler has nothing left (%KA_SCHEDULER_ERROR_EXHAUSTED or
 * %KA_SCHEDULER_ERROR_NO_BATTLES) the state becomes %KA_SESSION_STATE_EXHAUSTED and the
 * scheduler's error is returned. If the store then cannot record the battle (a message is
 * logged), it cannot be voted on: each vote records it again first, and while that fails
 * the vote's commit fails with the store's error and the state stays
 * %KA_SESSION_STATE_VOTING. Refused
 * with %KA_SESSION_ERROR_BUSY while a vote is being committed.
 *
 * Returns: %TRUE if a new battle is on show
 */
gboolean
ka_session_next_battle (KaSession  *self,
                        GError    **error)
{
  g_autoptr(KaBattle) battle = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (KA_IS_SESSION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->state == KA_SESSION_STATE_COMMITTING)
    {
      g_set_error_literal (error, KA_SESSION_ERROR, KA_SESSION_ERROR_BUSY,
                           "A vote is being recorded");
      return FALSE;
    }

  g_object_freeze_notify (G_OBJECT (self));
  self->generation++;

  battle = ka_scheduler_next (self->scheduler, &local_error);
  if (battle == NULL)
    {
      take_ballot (self, NULL);
      set_battle (self, NULL);
      g_clear_pointer (&self->shown_at, g_free);
      if (local_error->domain == KA_SCHEDULER_ERROR)
        set_state (self, KA_SESSION_STATE_EXHAUSTED);
      else
        set_state (self, KA_SESSION_STATE_IDLE);
      g_object_thaw_notify (G_OBJECT (self));
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  g_free (self->shown_at);
  self->shown_at = ka_timestamp_now ();
  queue_record_battle (self, battle);
  self->shown_usec = g_get_monotonic_time ();

  take_ballot (self, NULL);
  set_battle (self, battle);
  set_state (self, KA_SESSION_STATE_VOTING);
  g_object_thaw_notify (G_OBJECT (self));

  return TRUE;
}

static gboolean
check_voting (KaSession  *self,
              GError    **error)
{
  if (self->state == KA_SESSION_STATE_VOTING)
    return TRUE;

  if (self->state == KA_SESSION_STATE_COMMITTING)
    g_set_error_literal (error, KA_SESSION_ERROR, KA_SESSION_ERROR_NOT_VOTING,
                         "A vote on this battle is already being recorded");
  else if (self->state == KA_SESSION_STATE_REVEALED)
    g_set_error_literal (error, KA_SESSION_ERROR, KA_SESSION_ERROR_NOT_VOTING,
                         "This battle has already been voted on");
  else
    g_set_error_literal (error, KA_SESSION_ERROR, KA_SESSION_ERROR_NOT_VOTING,
                         "No battle is on show");

  return FALSE;
}

static VoteData *
vote_data_new (KaSession *self,
               KaWinner   winner)
{
  VoteData *data = g_new0 (VoteData, 1);
  gint64 elapsed_usec = g_get_monotonic_time () - self->shown_usec;

  data->battle_id = g_strdup (ka_battle_get_id (self->battle));
  data->session_id = g_strdup (self->id);
  data->pack_id = g_strdup (ka_pack_get_id (ka_battle_get_pack (self->battle)));
  data->prompt_id = g_strdup (ka_battle_get_prompt (self->battle)->prompt_id);
  data->response_a = g_strdup (ka_battle_get_response_a (self->battle)->response_id);
  data->response_b = g_strdup (ka_battle_get_response_b (self->battle)->response_id);
  data->shown_at = g_strdup (self->shown_at);
  data->voted_at = ka_timestamp_now ();
  data->ui_language = g_strdup (self->ui_language);
  data->winner = winner;
  data->mode = self->mode;
  data->decision_ms = MAX (elapsed_usec, 0) / 1000;
  data->identity_flag = flagged_now (self);
  data->generation = self->generation;

  data->draft.session_id = data->session_id;
  data->draft.pack_id = data->pack_id;
  data->draft.prompt_id = data->prompt_id;
  data->draft.response_a = data->response_a;
  data->draft.response_b = data->response_b;
  data->draft.winner = data->winner;
  data->draft.shown_at = data->shown_at;
  data->draft.voted_at = data->voted_at;
  data->draft.decision_ms = data->decision_ms;
  data->draft.mode = data->mode;
  data->draft.ui_language = data->ui_language;
  data->draft.identity_flag = data->identity_flag;

  return data;
}

static gboolean
winner_is_valid (KaWinner winner)
{
  return winner == KA_WINNER_MODEL_A || winner == KA_WINNER_MODEL_B ||
         winner == KA_WINNER_TIE || winner == KA_WINNER_BOTH_BAD;
}

/**
 * ka_session_vote:
 * @self: a #KaSession
 * @winner: the voter's choice; `model_a` is the left answer
 * @error: return location for a #KaSessionError or #KaStoreError
 *
 * Casts a vote on the battle on show and commits it synchronously with
 * ka_store_commit_ballot(). The ballot carries this session's ID, mode and UI language,
 * `shown_at` from ka_session_next_battle(), `voted_at` = now, `decision_ms` from the
 * monotonic clock, and `identity_flag` set only if the guard (ka_session_set_guard(), by
 * default the scheduler's) now flags either response. Only once the transaction has
 * committed does the state become %KA_SESSION_STATE_REVEALED with "ballot" set. If the
 * store fails, nothing is acknowledged: the state stays %KA_SESSION_STATE_VOTING and the
 * vote may be cast again. Blocks on SQLite; the window uses ka_session_vote_async().
 *
 * Returns: (transfer full) (nullable): a copy of the committed ballot, or %NULL with
 *   %KA_SESSION_ERROR_NOT_VOTING if no battle awaits a vote (idle, already voted, being
 *   committed, exhausted) or with the store's error
 */
KaBallot *
ka_session_vote (KaSession  *self,
                 KaWinner    winner,
                 GError    **error)
{
  g_autoptr(VoteData) data = NULL;
  KaBallot *ballot;

  g_return_val_if_fail (KA_IS_SESSION (self), NULL);
  g_return_val_if_fail (winner_is_valid (winner), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_voting (self, error))
    return NULL;

  data = vote_data_new (self, winner);
  /* After the queued "battle shown" (a no-op then), or in its place if that failed. */
  if (!ka_store_record_battle (self->store, data->battle_id, data->session_id,
                               data->pack_id, data->prompt_id, data->response_a,
                               data->response_b, data->shown_at, error))
    return NULL;
  ballot = ka_store_commit_ballot (self->store, &data->draft, data->battle_id, error);
  if (ballot == NULL)
    return NULL;

  g_object_freeze_notify (G_OBJECT (self));
  take_ballot (self, ka_ballot_copy (ballot));
  set_state (self, KA_SESSION_STATE_REVEALED);
  g_object_thaw_notify (G_OBJECT (self));

  return ballot;
}

static void
commit_ballot_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KaSession *self = g_task_get_source_object (task);
  VoteData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(KaBallot) ballot = NULL;

  ballot = ka_store_commit_ballot_finish (KA_STORE (source), result, &error);

  /* After a reset the session has moved on; the outcome belongs to the caller only. */
  if (data->generation == self->generation && self->state == KA_SESSION_STATE_COMMITTING)
    {
      g_object_freeze_notify (G_OBJECT (self));
      if (ballot != NULL)
        {
          take_ballot (self, ka_ballot_copy (ballot));
          set_state (self, KA_SESSION_STATE_REVEALED);
        }
      else
        {
          set_state (self, KA_SESSION_STATE_VOTING);
        }
      g_object_thaw_notify (G_OBJECT (self));
    }

  if (ballot != NULL)
    g_task_return_pointer (task, g_steal_pointer (&ballot), (GDestroyNotify) ka_ballot_free);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

/**
 * ka_session_vote_async:
 * @self: a #KaSession
 * @winner: the voter's choice; `model_a` is the left answer
 * @cancellable: (nullable): a #GCancellable, passed to the store
 * @callback: called when the ballot is committed or the commit failed
 * @user_data: data for @callback
 *
 * Like ka_session_vote(), but commits with ka_store_commit_ballot_async(). The state
 * becomes %KA_SESSION_STATE_COMMITTING at once, so that a second vote (sync or async) is
 * refused with %KA_SESSION_ERROR_NOT_VOTING while the first is in flight. On success the
 * state becomes %KA_SESSION_STATE_REVEALED with "ballot" set; on failure it goes back to
 * %KA_SESSION_STATE_VOTING. If ka_session_reset() is called meanwhile, the commit still
 * completes and is reported to @callback, but the session's new state is left alone.
 */
void
ka_session_vote_async (KaSession           *self,
                       KaWinner             winner,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  VoteData *data;

  g_return_if_fail (KA_IS_SESSION (self));
  g_return_if_fail (winner_is_valid (winner));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ka_session_vote_async);

  if (!check_voting (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data = vote_data_new (self, winner);
  g_task_set_task_data (task, data, (GDestroyNotify) vote_data_free);

  set_state (self, KA_SESSION_STATE_COMMITTING);

  queue_record_battle (self, self->battle);
  ka_store_commit_ballot_async (self->store,
                                &data->draft,
                                data->battle_id,
                                cancellable,
                                commit_ballot_cb,
                                g_steal_pointer (&task));
}

/**
 * ka_session_vote_finish:
 * @self: a #KaSession
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #KaSessionError, #KaStoreError or %G_IO_ERROR_CANCELLED
 *
 * Returns: (transfer full) (nullable): a copy of the committed ballot, or %NULL
 */
KaBallot *
ka_session_vote_finish (KaSession     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (KA_IS_SESSION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ka_session_vote_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ka_session_reset:
 * @self: a #KaSession
 *
 * Starts a new session (a kiosk wipe, a new visitor): a fresh session ID, the
 * scheduler's seen prompts forgotten, battle and ballot cleared, state
 * %KA_SESSION_STATE_IDLE. A commit already in flight still completes in the store.
 */
void
ka_session_reset (KaSession *self)
{
  g_return_if_fail (KA_IS_SESSION (self));

  g_object_freeze_notify (G_OBJECT (self));

  self->generation++;
  g_free (self->id);
  self->id = g_uuid_string_random ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);

  ka_scheduler_reset_session (self->scheduler);

  take_ballot (self, NULL);
  set_battle (self, NULL);
  g_clear_pointer (&self->shown_at, g_free);
  set_state (self, KA_SESSION_STATE_IDLE);

  g_object_thaw_notify (G_OBJECT (self));
}
