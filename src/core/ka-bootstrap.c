/* ka-bootstrap.c: bootstrap intervals of the Bradley–Terry ratings
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sources: LMArena/FastChat, fastchat/serve/monitor/rating_systems.py and elo_analysis.py
 * (multinomial bootstrap over the unique (model_a, model_b, outcome) rows, 2.5/97.5 %
 * quantiles with numpy.quantile's linear interpolation); FastChat PR 3523.
 */

#define G_LOG_DOMAIN "ka-bootstrap"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdlib.h>

#include "ka-bootstrap.h"
#include "ka-multinomial.h"

/* Round r's generator depends only on (seed, r): results do not depend on threads.
 * The same words seed a #GRand (ka_rating_counts_resample() with such a generator draws
 * the same counts) or, faster, a #KaMt. */
static void
round_seed (guint64  seed,
            guint    round,
            guint32 *words)
{
  words[0] = (guint32) (seed & 0xffffffffu);
  words[1] = (guint32) (seed >> 32);
  words[2] = (guint32) round;
  words[3] = 0x6b612d72u; /* "ka-r" */
}

typedef struct
{
  const KaBtProblem  *p;
  KaRatingMethod  method;
  guint64         seed;
  guint           anchor;
  double          anchor_value;
  const double   *start;
  double         *samples;     /* rounds × m */
  GCancellable   *cancellable;
  guint           first;
  guint           last;        /* exclusive */
  guint           prior_rounds;
  gboolean        failed;
} BootstrapJob;

static gpointer
bootstrap_run (gpointer data)
{
  BootstrapJob *job = data;
  const KaBtProblem *p = job->p;
  g_autoptr(KaBtWork) w = ka_bt_work_new (p);
  /* GRand's seeding differs under G_RANDOM_VERSION=2.0; KaMt only has the default one. */
  g_autofree KaMt *mt = g_strcmp0 (g_getenv ("G_RANDOM_VERSION"), "2.0") != 0 ? g_new (KaMt, 1) : NULL;
  g_autofree gint64 *resampled = g_new0 (gint64, MAX (p->n_cells, 1));
  KaMultinomialPlan *plan = mt != NULL ? ka_multinomial_plan_new (p->cell_count, p->n_cells) : NULL;

  for (guint r = job->first; r < job->last; r++)
    {
      guint32 words[4];
      guint it = 0, n_reg = 0;

      if (g_cancellable_is_cancelled (job->cancellable))
        break;

      round_seed (job->seed, r, words);
      if (G_LIKELY (mt != NULL))
        {
          ka_mt_seed_array (mt, words, G_N_ELEMENTS (words));
          ka_multinomial_resample_plan (mt, plan, resampled);
        }
      else
        {
          g_autoptr(GRand) rand = g_rand_new_with_seed_array (words, G_N_ELEMENTS (words));

          ka_multinomial_resample (rand, p->cell_count, resampled, p->n_cells);
        }
      if (!ka_bt_fit (p, w, resampled, job->method, job->start, &it, &n_reg))
        {
          job->failed = TRUE;
          break;
        }
      if (n_reg > 0)
        job->prior_rounds++;
      ka_bt_to_elo (p, w->beta, job->anchor, job->anchor_value, job->samples + (gsize) r * p->m);
    }
  g_clear_pointer (&plan, ka_multinomial_plan_free);
  return NULL;
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : (x > y ? 1 : 0);
}

/* numpy.quantile's default (linear interpolation, "type 7"). */
static double
quantile_sorted (const double *v,
                 guint         n,
                 double        q)
{
  double pos = q * (n - 1);
  guint lo = (guint) floor (pos);
  guint hi = MIN (lo + 1, n - 1);

  return v[lo] + (pos - lo) * (v[hi] - v[lo]);
}

/**
 * ka_bootstrap_intervals:
 * @p: the problem (see ka_bt_problem_new())
 * @method: the fitting method of every replicate
 * @seed: the bootstrap seed; round r draws from its own generator seeded with (@seed, r)
 * @rounds: bootstrap rounds, ≥ 1
 * @n_threads: worker threads; 0 for one per processor (clamped to [1, @rounds])
 * @start: (array): natural-log strengths to start every fit from (the point fit), @p->m
 *   of them
 * @cancellable: (nullable): checked between rounds
 * @lower: (out caller-allocates) (array): per model, the 2.5th percentile of the
 *   replicates' ratings (Elo scale, each component centred at %KA_RATING_CENTRE)
 * @upper: (out caller-allocates) (array): per model, the 97.5th percentile
 * @prior_rounds: (out): how many replicates needed the virtual-tie prior
 * @error: return location for an error
 *
 * Refits the model on @rounds multinomial resamples of @p's cells (LMArena's
 * `compute_bootstrap_bt`; see ka_rating_counts_resample()) and takes the percentiles with
 * numpy.quantile's linear interpolation. The result does not depend on @n_threads.
 *
 * Returns: %TRUE on success; %FALSE with %G_IO_ERROR_CANCELLED, or
 *   %KA_RATING_ERROR_NOT_CONVERGED if a replicate's fit did not converge
 */
gboolean
ka_bootstrap_intervals (const KaBtProblem  *p,
                        KaRatingMethod      method,
                        guint64             seed,
                        guint               rounds,
                        guint               n_threads,
                        const double       *start,
                        GCancellable       *cancellable,
                        double             *lower,
                        double             *upper,
                        guint              *prior_rounds,
                        GError            **error)
{
  guint m = p->m;
  g_autofree double *samples = NULL;
  g_autofree BootstrapJob *jobs = NULL;
  g_autofree GThread **threads = NULL;
  g_autofree double *column = NULL;
  gboolean failed = FALSE;

  g_return_val_if_fail (rounds > 0, FALSE);

  *prior_rounds = 0;
  if (n_threads == 0)
    n_threads = g_get_num_processors ();
  column = g_new (double, rounds);
  n_threads = CLAMP (n_threads, 1, rounds);
  samples = g_new (double, (gsize) rounds * m);
  jobs = g_new0 (BootstrapJob, n_threads);
  threads = g_new0 (GThread *, n_threads);
  for (guint t = 0; t < n_threads; t++)
    {
      jobs[t].p = p;
      jobs[t].method = method;
      jobs[t].seed = seed;
      jobs[t].anchor = G_MAXUINT;
      jobs[t].anchor_value = 0.0;
      jobs[t].start = start;
      jobs[t].samples = samples;
      jobs[t].cancellable = cancellable;
      jobs[t].first = (guint) ((guint64) rounds * t / n_threads);
      jobs[t].last = (guint) ((guint64) rounds * (t + 1) / n_threads);
    }
  if (n_threads == 1)
    bootstrap_run (&jobs[0]);
  else
    {
      for (guint t = 0; t < n_threads; t++)
        threads[t] = g_thread_new ("ka-bootstrap", bootstrap_run, &jobs[t]);
      for (guint t = 0; t < n_threads; t++)
        g_thread_join (threads[t]);
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  for (guint t = 0; t < n_threads; t++)
    {
      failed |= jobs[t].failed;
      *prior_rounds += jobs[t].prior_rounds;
    }
  if (failed)
    {
      g_set_error (error, KA_RATING_ERROR, KA_RATING_ERROR_NOT_CONVERGED,
                   _("A bootstrap fit did not converge"));
      return FALSE;
    }

  for (guint i = 0; i < m; i++)
    {
      for (guint r = 0; r < rounds; r++)
        column[r] = samples[(gsize) r * m + i];
      qsort (column, rounds, sizeof (double), compare_double);
      lower[i] = quantile_sorted (column, rounds, 0.025);
      upper[i] = quantile_sorted (column, rounds, 0.975);
    }
  return TRUE;
}
