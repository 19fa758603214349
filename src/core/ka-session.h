/* ka-session.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ka-ballot.h"
#include "ka-battle.h"
#include "ka-scheduler.h"
#include "ka-store.h"

G_BEGIN_DECLS

/**
 * KaSessionState:
 * @KA_SESSION_STATE_IDLE: no battle yet
 * @KA_SESSION_STATE_VOTING: a battle is shown, names hidden
 * @KA_SESSION_STATE_COMMITTING: a vote is being written; further votes are refused
 * @KA_SESSION_STATE_REVEALED: the ballot is committed; names may be shown
 * @KA_SESSION_STATE_EXHAUSTED: no unseen prompt is left for this session
 */
typedef enum
{
  KA_SESSION_STATE_IDLE,
  KA_SESSION_STATE_VOTING,
  KA_SESSION_STATE_COMMITTING,
  KA_SESSION_STATE_REVEALED,
  KA_SESSION_STATE_EXHAUSTED,
} KaSessionState;

#define KA_SESSION_ERROR (ka_session_error_quark ())

typedef enum
{
  KA_SESSION_ERROR_NOT_VOTING,  /* vote() called with no battle on show, or twice */
  KA_SESSION_ERROR_BUSY,        /* next_battle() called while a vote is being committed */
} KaSessionError;

GQuark ka_session_error_quark (void);

/*
 * KaSession: the voting loop shared by the window and `kai-arena-admin simulate`:
 * next battle -> vote -> commit -> reveal. Properties: "store", "scheduler", "mode",
 * "ui-language" (construct-only); "state", "battle", "ballot" (read-only, notify);
 * also "id" (read-only, notify on reset) and "guard" (read-write, see ka_session_set_guard()).
 */
#define KA_TYPE_SESSION (ka_session_get_type ())

G_DECLARE_FINAL_TYPE (KaSession, ka_session, KA, SESSION, GObject)

KaSession      *ka_session_new            (KaStore             *store,
                                           KaScheduler         *scheduler,
                                           KaMode               mode,
                                           const char          *ui_language);
const char     *ka_session_get_id         (KaSession           *self);
KaSessionState  ka_session_get_state      (KaSession           *self);
KaBattle       *ka_session_get_battle     (KaSession           *self);
const KaBallot *ka_session_get_ballot     (KaSession           *self);
KaStore        *ka_session_get_store      (KaSession           *self);
gboolean        ka_session_next_battle    (KaSession           *self,
                                           GError             **error);
KaBallot       *ka_session_vote           (KaSession           *self,
                                           KaWinner             winner,
                                           GError             **error);
void            ka_session_vote_async     (KaSession           *self,
                                           KaWinner             winner,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
KaBallot       *ka_session_vote_finish    (KaSession           *self,
                                           GAsyncResult        *result,
                                           GError             **error);
void            ka_session_reset          (KaSession           *self);

/* Added by the session's implementation (source-compatible additions). */
KaScheduler    *ka_session_get_scheduler  (KaSession           *self);
KaMode          ka_session_get_mode       (KaSession           *self);
const char     *ka_session_get_ui_language (KaSession          *self);
void            ka_session_set_guard      (KaSession           *self,
                                           KaIdentityGuard     *guard);

G_END_DECLS
