/* ka-write-queue.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * KaWriteQueueFunc:
 * @data: the job's data, e.g. a #GTask that the function completes with g_task_return_*()
 *   (allowed from the queue's thread: GTask then calls back in the task's own main
 *   context)
 *
 * One job of a #KaWriteQueue, run on the queue's thread.
 */
typedef void (*KaWriteQueueFunc) (gpointer data);

typedef struct _KaWriteQueue KaWriteQueue;

KaWriteQueue *ka_write_queue_new        (const char       *thread_name);
void          ka_write_queue_push       (KaWriteQueue     *self,
                                         KaWriteQueueFunc  func,
                                         gpointer          data,
                                         GDestroyNotify    destroy);
void          ka_write_queue_drain      (KaWriteQueue     *self);
gboolean      ka_write_queue_is_current (KaWriteQueue     *self);
GThread      *ka_write_queue_get_thread (KaWriteQueue     *self);
void          ka_write_queue_free       (KaWriteQueue     *self);

G_END_DECLS
