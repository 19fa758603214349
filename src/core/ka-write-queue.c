/* ka-write-queue.c: one thread that runs jobs in the order they were queued
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store's single writer (DESIGN.md §6, docs/ballots.md "The writer thread"): a
 * dedicated thread fed by a GAsyncQueue, as Epiphany's history service does
 * (STYLE.md §4.1). Pushing never blocks on the jobs, so the UI thread can queue "battle
 * shown" and return at once; jobs run strictly first in, first out, so a ballot queued
 * after its battle is committed after it. ka_write_queue_drain() lets a synchronous
 * caller on another thread wait for everything queued before it.
 */

#define G_LOG_DOMAIN "ka-write-queue"

#include "config.h"

#include "ka-write-queue.h"

typedef struct
{
  KaWriteQueueFunc  func;     /* NULL: the stop marker */
  gpointer          data;
  GDestroyNotify    destroy;  /* (nullable) */
} Job;

/* Shared by the owner and the thread, each holding one reference: the owner may drop its
 * own from the thread itself (a job's last reference to the store going away there). */
typedef struct
{
  gatomicrefcount  ref_count;
  GAsyncQueue     *jobs;      /* (element-type Job) */
  GMutex           lock;      /* guards the two counters */
  GCond            done_cond;
  guint64          n_queued;
  guint64          n_done;
} Shared;

struct _KaWriteQueue
{
  Shared  *shared;
  GThread *thread;
};

static Shared *
shared_ref (Shared *shared)
{
  g_atomic_ref_count_inc (&shared->ref_count);
  return shared;
}

static void
shared_unref (Shared *shared)
{
  if (!g_atomic_ref_count_dec (&shared->ref_count))
    return;

  g_async_queue_unref (shared->jobs);
  g_mutex_clear (&shared->lock);
  g_cond_clear (&shared->done_cond);
  g_free (shared);
}

static void
push_job (Shared           *shared,
          KaWriteQueueFunc  func,
          gpointer          data,
          GDestroyNotify    destroy)
{
  Job *job = g_new0 (Job, 1);

  job->func = func;
  job->data = data;
  job->destroy = destroy;

  /* Counted and queued under one lock, so that the counter's order is the queue's. */
  g_mutex_lock (&shared->lock);
  shared->n_queued++;
  g_async_queue_push (shared->jobs, job);
  g_mutex_unlock (&shared->lock);
}

static gpointer
writer_thread (gpointer data)
{
  Shared *shared = data;

  for (;;)
    {
      Job *job = g_async_queue_pop (shared->jobs);
      gboolean stop = job->func == NULL;

      if (!stop)
        job->func (job->data);

      g_mutex_lock (&shared->lock);
      shared->n_done++;
      g_cond_broadcast (&shared->done_cond);
      g_mutex_unlock (&shared->lock);

      /* Last: this may drop the last reference to the owner, whose finalizer then frees
       * the KaWriteQueue and queues the stop marker (it cannot join this thread). */
      if (job->destroy != NULL)
        job->destroy (job->data);
      g_free (job);

      if (stop)
        break;
    }

  shared_unref (shared);
  return NULL;
}

/**
 * ka_write_queue_new:
 * @thread_name: the thread's name (15 bytes at most are shown by the system)
 *
 * Starts the queue's thread.
 *
 * Returns: (transfer full): a new queue; free it with ka_write_queue_free()
 */
KaWriteQueue *
ka_write_queue_new (const char *thread_name)
{
  KaWriteQueue *self = g_new0 (KaWriteQueue, 1);
  Shared *shared = g_new0 (Shared, 1);

  g_atomic_ref_count_init (&shared->ref_count);
  shared->jobs = g_async_queue_new ();
  g_mutex_init (&shared->lock);
  g_cond_init (&shared->done_cond);

  self->shared = shared;
  self->thread = g_thread_new (thread_name, writer_thread, shared_ref (shared));
  return self;
}

/**
 * ka_write_queue_push:
 * @self: a #KaWriteQueue
 * @func: the job
 * @data: (transfer full): its data
 * @destroy: (nullable): frees @data on the queue's thread once @func returned
 *
 * Queues a job and returns at once, from any thread: it never waits for a job. Jobs run
 * one at a time on the queue's thread, in the order they were pushed.
 */
void
ka_write_queue_push (KaWriteQueue     *self,
                     KaWriteQueueFunc  func,
                     gpointer          data,
                     GDestroyNotify    destroy)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (func != NULL);

  push_job (self->shared, func, data, destroy);
}

/**
 * ka_write_queue_drain:
 * @self: a #KaWriteQueue
 *
 * Waits until every job pushed before this call has run (their #GTask callbacks may still
 * be pending in their main contexts). Returns at once on the queue's own thread, where
 * waiting would never end. Blocks: not for the UI thread.
 */
void
ka_write_queue_drain (KaWriteQueue *self)
{
  Shared *shared;
  guint64 target;

  g_return_if_fail (self != NULL);

  if (ka_write_queue_is_current (self))
    return;

  shared = self->shared;
  g_mutex_lock (&shared->lock);
  target = shared->n_queued;
  while (shared->n_done < target)
    g_cond_wait (&shared->done_cond, &shared->lock);
  g_mutex_unlock (&shared->lock);
}

/**
 * ka_write_queue_is_current:
 * @self: a #KaWriteQueue
 *
 * Returns: %TRUE when called from the queue's own thread (i.e. from a job).
 */
gboolean
ka_write_queue_is_current (KaWriteQueue *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return g_thread_self () == self->thread;
}

/**
 * ka_write_queue_get_thread:
 * @self: a #KaWriteQueue
 *
 * Returns: (transfer none): the thread that runs the jobs
 */
GThread *
ka_write_queue_get_thread (KaWriteQueue *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->thread;
}

/**
 * ka_write_queue_free:
 * @self: (transfer full): a #KaWriteQueue
 *
 * Lets the jobs already queued run, then stops the thread. From another thread this waits
 * for them (the store's jobs hold references to it, so none are left when it is
 * finalized); from the queue's own thread (a job's data dropped the owner's last
 * reference) the thread stops on its own right after.
 */
void
ka_write_queue_free (KaWriteQueue *self)
{
  g_return_if_fail (self != NULL);

  push_job (self->shared, NULL, NULL, NULL);
  if (ka_write_queue_is_current (self))
    g_thread_unref (self->thread);
  else
    g_thread_join (self->thread);
  shared_unref (self->shared);
  g_free (self);
}
