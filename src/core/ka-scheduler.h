/* ka-scheduler.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "ka-battle.h"
#include "ka-identity.h"
#include "ka-pack.h"
#include "ka-store.h"

G_BEGIN_DECLS

#define KA_SCHEDULER_ERROR (ka_scheduler_error_quark ())

typedef enum
{
  KA_SCHEDULER_ERROR_EXHAUSTED,   /* this session has seen every schedulable prompt */
  KA_SCHEDULER_ERROR_NO_BATTLES,  /* the pack has no schedulable pair at all */
} KaSchedulerError;

GQuark ka_scheduler_error_quark (void);

#define KA_TYPE_SCHEDULER (ka_scheduler_get_type ())

G_DECLARE_FINAL_TYPE (KaScheduler, ka_scheduler, KA, SCHEDULER, GObject)

KaScheduler *ka_scheduler_new              (KaPack          *pack,
                                            KaIdentityGuard *guard,
                                            guint32          seed);
gboolean     ka_scheduler_load_history     (KaScheduler     *self,
                                            KaStore         *store,
                                            GError         **error);
void         ka_scheduler_count_battle     (KaScheduler     *self,
                                            const char      *response_a,
                                            const char      *response_b);
KaBattle    *ka_scheduler_next             (KaScheduler     *self,
                                            GError         **error);
void         ka_scheduler_reset_session    (KaScheduler     *self);
guint        ka_scheduler_get_n_schedulable_prompts (KaScheduler *self);
guint        ka_scheduler_get_n_flagged    (KaScheduler     *self);
guint        ka_scheduler_get_pair_count   (KaScheduler     *self,
                                            const char      *model_x,
                                            const char      *model_y);
guint        ka_scheduler_get_side_count   (KaScheduler     *self,
                                            const char      *model_id,
                                            gboolean         left);

/* Added by the scheduler's implementation (source-compatible additions). */
KaPack          *ka_scheduler_get_pack            (KaScheduler  *self);
KaIdentityGuard *ka_scheduler_get_guard           (KaScheduler  *self);
guint            ka_scheduler_get_n_unseen_prompts (KaScheduler *self);
guint            ka_scheduler_get_n_pairs         (KaScheduler  *self);
void             ka_scheduler_get_pair            (KaScheduler  *self,
                                                   guint         index,
                                                   const char  **model_x,
                                                   const char  **model_y);
guint            ka_scheduler_get_pair_side_count (KaScheduler  *self,
                                                   const char   *model_left,
                                                   const char   *model_right);

G_END_DECLS
