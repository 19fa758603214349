/* ka-bradley-terry.c: Bradley–Terry maximum likelihood: Newton and MM solvers
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sources:
 *  - R. A. Bradley and M. E. Terry, "Rank analysis of incomplete block designs: I. The
 *    method of paired comparisons", Biometrika 39 (1952) 324–345.
 *  - E. Zermelo, "Die Berechnung der Turnier-Ergebnisse als ein Maximumproblem der
 *    Wahrscheinlichkeitsrechnung", Math. Z. 29 (1929) 436–460 (existence of the MLE).
 *  - D. R. Hunter, "MM algorithms for generalized Bradley–Terry models", Ann. Statist. 32
 *    (2004) 384–406 (the MM iteration and the strong-connectivity condition).
 *  - LMArena/FastChat, fastchat/serve/monitor/rating_systems.py: Elo scale 400·log10, ties
 *    as half a win, ratings centred or anchored.
 */

#define G_LOG_DOMAIN "ka-bradley-terry"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ka-bradley-terry.h"
#include "ka-rating-counts-private.h"

#define NEWTON_MAX_ITERATIONS 200
#define MM_MAX_ITERATIONS 1000000
#define NEWTON_TRUST 0.25            /* largest unchecked step in ln p (≈ 43 Elo) */
#define NEWTON_QUADRATIC_STOP 1e-6   /* see fit_newton() */

/**
 * ka_bt_problem_free:
 * @p: (transfer full): a problem from ka_bt_problem_new()
 */
void
ka_bt_problem_free (KaBtProblem *p)
{
  g_free (p->pair_i);
  g_free (p->pair_j);
  g_free (p->cell_count);
  g_free (p->cell_pair);
  g_free (p->cell_kind);
  g_free (p->comp);
  g_free (p->comp_size);
  g_free (p->comp_ref);
  g_free (p->var);
  g_free (p->adj_start);
  g_free (p->adj);
  g_free (p);
}

static guint
uf_find (guint *parent,
         guint  x)
{
  while (parent[x] != x)
    {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
  return x;
}

typedef struct
{
  guint size;
  guint first;   /* model index of the component's first model by name */
  guint rank;    /* its position by name */
  guint root;
} CompInfo;

static int
compare_comp_info (const void *a,
                   const void *b)
{
  const CompInfo *x = a, *y = b;

  if (x->size != y->size)
    return x->size > y->size ? -1 : 1;
  return x->rank < y->rank ? -1 : (x->rank > y->rank ? 1 : 0);
}

static int
compare_model_names (gconstpointer a,
                     gconstpointer b,
                     gpointer      data)
{
  GPtrArray *names = data;

  return strcmp (g_ptr_array_index (names, *(const guint *) a),
                 g_ptr_array_index (names, *(const guint *) b));
}

/**
 * ka_bt_problem_new:
 * @counts: aggregated ballots with at least one model
 *
 * The maximum-likelihood problem of Bradley & Terry (1952) in compact form: the unordered
 * pairs that were compared, the non-zero cells of @counts mapped onto them (visited in
 * model-name order, so that the bootstrap draws do not depend on the order of the
 * ballots), the connected components of the comparison graph (largest first, then by
 * first model name), one reference model per component (β = 0) and the Newton variables
 * of the others. Sizes: O(models + cells) plus a models × models scratch matrix.
 *
 * Returns: (transfer full): the problem; free with ka_bt_problem_free()
 */
KaBtProblem *
ka_bt_problem_new (KaRatingCounts *counts)
{
  KaBtProblem *p = g_new0 (KaBtProblem, 1);
  guint m = ka_rating_counts_get_n_models (counts);
  g_autofree guint *pair_of = NULL;   /* i * m + j (i < j) → pair index + 1 */
  g_autofree guint *parent = NULL;
  g_autofree CompInfo *info = NULL;
  g_autofree guint *root_to_comp = NULL;
  g_autofree guint *fill = NULL;
  g_autofree guint *by_name = NULL;
  guint n_roots = 0;

  p->m = m;
  pair_of = g_new0 (guint, (gsize) MAX (m, 1) * MAX (m, 1));
  parent = g_new (guint, MAX (m, 1));
  for (guint i = 0; i < m; i++)
    parent[i] = i;

  /* Cells and pairs. */
  p->cell_count = g_new (gint64, 16);
  p->cell_pair = g_new (guint, 16);
  p->cell_kind = g_new (guint8, 16);
  p->pair_i = g_new (guint, 16);
  p->pair_j = g_new (guint, 16);
  /* Cells in the order of the model names, not of their first appearance, so that the
   * bootstrap draws (and so the intervals) do not depend on the order of the ballots. */
  by_name = g_new (guint, MAX (m, 1));
  for (guint i = 0; i < m; i++)
    by_name[i] = i;
  g_qsort_with_data (by_name, m, sizeof (guint), compare_model_names, counts->models.names);
  {
    guint cap_cells = 16, cap_pairs = 16;

    for (guint ia = 0; ia < m; ia++)
      for (guint ib = 0; ib < m; ib++)
        {
          guint a = by_name[ia], b = by_name[ib];
          const gint64 *cell = _ka_rating_counts_cell (counts, a, b);

          for (guint w = 0; w < N_OUTCOMES; w++)
            {
              guint i = ia < ib ? a : b, j = ia < ib ? b : a;
              guint pair;
              guint8 kind;

              if (cell[w] == 0)
                continue;

              if (pair_of[i * m + j] == 0)
                {
                  if (p->n_pairs == cap_pairs)
                    {
                      cap_pairs *= 2;
                      p->pair_i = g_renew (guint, p->pair_i, cap_pairs);
                      p->pair_j = g_renew (guint, p->pair_j, cap_pairs);
                    }
                  p->pair_i[p->n_pairs] = i;
                  p->pair_j[p->n_pairs] = j;
                  pair_of[i * m + j] = ++p->n_pairs;
                  parent[uf_find (parent, i)] = uf_find (parent, j);
                }
              pair = pair_of[i * m + j] - 1;

              if (w == KA_WINNER_TIE)
                kind = 2;
              else if (w == KA_WINNER_BOTH_BAD)
                kind = 3;
              else if ((w == KA_WINNER_MODEL_A) == (a == i))
                kind = 0;
              else
                kind = 1;

              if (p->n_cells == cap_cells)
                {
                  cap_cells *= 2;
                  p->cell_count = g_renew (gint64, p->cell_count, cap_cells);
                  p->cell_pair = g_renew (guint, p->cell_pair, cap_cells);
                  p->cell_kind = g_renew (guint8, p->cell_kind, cap_cells);
                }
              p->cell_count[p->n_cells] = cell[w];
              p->cell_pair[p->n_cells] = pair;
              p->cell_kind[p->n_cells] = kind;
              p->n_cells++;
            }
        }
  }

  /* Components, numbered by size (largest first), then by first model. */
  info = g_new0 (CompInfo, MAX (m, 1));
  root_to_comp = g_new (guint, MAX (m, 1));
  for (guint i = 0; i < m; i++)
    root_to_comp[i] = G_MAXUINT;
  for (guint k = 0; k < m; k++)
    {
      guint i = by_name[k];
      guint r = uf_find (parent, i);

      if (root_to_comp[r] == G_MAXUINT)
        {
          root_to_comp[r] = n_roots;
          info[n_roots].first = i;
          info[n_roots].rank = k;
          info[n_roots].root = r;
          n_roots++;
        }
      info[root_to_comp[r]].size++;
    }
  qsort (info, n_roots, sizeof (CompInfo), compare_comp_info);
  for (guint c = 0; c < n_roots; c++)
    root_to_comp[info[c].root] = c;

  p->n_comp = n_roots;
  p->comp = g_new (guint, MAX (m, 1));
  p->comp_size = g_new0 (guint, MAX (n_roots, 1));
  p->comp_ref = g_new (guint, MAX (n_roots, 1));
  for (guint c = 0; c < n_roots; c++)
    {
      p->comp_size[c] = info[c].size;
      p->comp_ref[c] = info[c].first;
    }
  p->var = g_new (guint, MAX (m, 1));
  for (guint k = 0; k < m; k++)
    {
      guint i = by_name[k];

      p->comp[i] = root_to_comp[uf_find (parent, i)];
      if (p->comp_ref[p->comp[i]] == i)
        p->var[i] = G_MAXUINT;
      else
        p->var[i] = p->n_var++;
    }

  /* Adjacency. */
  p->adj_start = g_new0 (guint, m + 1);
  p->adj = g_new (guint, MAX (2 * p->n_pairs, 1));
  for (guint k = 0; k < p->n_pairs; k++)
    {
      p->adj_start[p->pair_i[k] + 1]++;
      p->adj_start[p->pair_j[k] + 1]++;
    }
  for (guint i = 0; i < m; i++)
    p->adj_start[i + 1] += p->adj_start[i];
  fill = g_memdup2 (p->adj_start, sizeof (guint) * (m + 1));
  for (guint k = 0; k < p->n_pairs; k++)
    {
      p->adj[fill[p->pair_i[k]]++] = k;
      p->adj[fill[p->pair_j[k]]++] = k;
    }

  return p;
}

/**
 * ka_bt_work_new:
 * @p: a problem
 *
 * Working memory of one fit: per-pair scores, per-model strengths, the Newton system
 * (n_var × n_var doubles). One per thread.
 *
 * Returns: (transfer full): the work area; free with ka_bt_work_free()
 */
KaBtWork *
ka_bt_work_new (const KaBtProblem *p)
{
  KaBtWork *w = g_new0 (KaBtWork, 1);
  gsize np = MAX (p->n_pairs, 1), m = MAX (p->m, 1), nv = MAX (p->n_var, 1);

  w->s_i = g_new0 (double, np);
  w->s_j = g_new0 (double, np);
  w->n = g_new0 (double, np);
  w->beta = g_new0 (double, m);
  w->trial = g_new0 (double, m);
  w->grad = g_new0 (double, m);
  w->step = g_new0 (double, m);
  w->rhs = g_new0 (double, nv);
  w->hess = g_new0 (double, nv * nv);
  w->queue = g_new0 (guint, m);
  w->seen = g_new0 (guint8, m);
  w->regularised = g_new0 (gboolean, MAX (p->n_comp, 1));
  return w;
}

/**
 * ka_bt_work_free:
 * @w: (transfer full): a work area
 */
void
ka_bt_work_free (KaBtWork *w)
{
  g_free (w->s_i);
  g_free (w->s_j);
  g_free (w->n);
  g_free (w->beta);
  g_free (w->trial);
  g_free (w->grad);
  g_free (w->step);
  g_free (w->rhs);
  g_free (w->hess);
  g_free (w->queue);
  g_free (w->seen);
  g_free (w->regularised);
  g_free (w);
}

static void
load_scores (const KaBtProblem *p,
             KaBtWork          *w,
             const gint64  *cell_count)
{
  memset (w->s_i, 0, sizeof (double) * p->n_pairs);
  memset (w->s_j, 0, sizeof (double) * p->n_pairs);
  memset (w->n, 0, sizeof (double) * p->n_pairs);
  for (guint c = 0; c < p->n_cells; c++)
    {
      double x = (double) cell_count[c];
      guint k = p->cell_pair[c];

      if (x == 0.0)
        continue;
      w->n[k] += x;
      switch (p->cell_kind[c])
        {
        case 0:
          w->s_i[k] += x;
          break;
        case 1:
          w->s_j[k] += x;
          break;
        default:
          w->s_i[k] += 0.5 * x;
          w->s_j[k] += 0.5 * x;
          break;
        }
    }
}

/* Is every model of component @c reachable from its reference along edges "x scored
 * against y" (forward == TRUE) or "y scored against x"? */
static gboolean
reach_all (const KaBtProblem *p,
           KaBtWork          *w,
           guint          c,
           gboolean       forward)
{
  guint head = 0, tail = 0, reached = 1;
  guint root = p->comp_ref[c];

  memset (w->seen, 0, p->m);
  w->seen[root] = 1;
  w->queue[tail++] = root;
  while (head < tail)
    {
      guint x = w->queue[head++];

      for (guint e = p->adj_start[x]; e < p->adj_start[x + 1]; e++)
        {
          guint k = p->adj[e];
          guint y = p->pair_i[k] == x ? p->pair_j[k] : p->pair_i[k];
          double s_xy = p->pair_i[k] == x ? w->s_i[k] : w->s_j[k];
          double s_yx = p->pair_i[k] == x ? w->s_j[k] : w->s_i[k];

          if (w->seen[y] || (forward ? s_xy : s_yx) <= 0.0)
            continue;
          w->seen[y] = 1;
          w->queue[tail++] = y;
          reached++;
        }
    }
  return reached == p->comp_size[c];
}

/* The MLE exists and is finite iff the directed "scored against" graph of each component
 * is strongly connected (Zermelo 1929; Hunter 2004, assumption 1). Where it is not, add
 * KA_RATING_PRIOR_TIES virtual ties to every pair of that component that was compared in
 * the data: each edge then points both ways, so the regularised MLE is finite. */
static guint
regularise (const KaBtProblem *p,
            KaBtWork          *w)
{
  guint n = 0;

  for (guint c = 0; c < p->n_comp; c++)
    {
      w->regularised[c] = FALSE;
      if (p->comp_size[c] < 2)
        continue;
      if (reach_all (p, w, c, TRUE) && reach_all (p, w, c, FALSE))
        continue;
      w->regularised[c] = TRUE;
      n++;
    }

  if (n == 0)
    return 0;

  for (guint k = 0; k < p->n_pairs; k++)
    {
      if (!w->regularised[p->comp[p->pair_i[k]]])
        continue;
      w->s_i[k] += 0.5 * KA_RATING_PRIOR_TIES;
      w->s_j[k] += 0.5 * KA_RATING_PRIOR_TIES;
      w->n[k] += KA_RATING_PRIOR_TIES;
    }
  return n;
}

static inline double
log_sigmoid (double x)
{
  return x >= 0.0 ? -log1p (exp (-x)) : x - log1p (exp (x));
}

static double
log_likelihood (const KaBtProblem *p,
                const KaBtWork    *w,
                const double  *beta)
{
  double ll = 0.0;

  for (guint k = 0; k < p->n_pairs; k++)
    {
      double d = beta[p->pair_i[k]] - beta[p->pair_j[k]];

      if (w->s_i[k] > 0.0)
        ll += w->s_i[k] * log_sigmoid (d);
      if (w->s_j[k] > 0.0)
        ll += w->s_j[k] * log_sigmoid (-d);
    }
  return ll;
}

/* In-place Cholesky solve of the n×n symmetric positive-definite system A x = b. */
static gboolean
cholesky_solve (double *a,
                double *b,
                guint   n)
{
  for (guint j = 0; j < n; j++)
    {
      double d = a[j * n + j];

      for (guint k = 0; k < j; k++)
        d -= a[j * n + k] * a[j * n + k];
      if (!(d > 0.0))
        return FALSE;
      d = sqrt (d);
      a[j * n + j] = d;
      for (guint i = j + 1; i < n; i++)
        {
          double s = a[i * n + j];

          for (guint k = 0; k < j; k++)
            s -= a[i * n + k] * a[j * n + k];
          a[i * n + j] = s / d;
        }
    }
  for (guint i = 0; i < n; i++)
    {
      double s = b[i];

      for (guint k = 0; k < i; k++)
        s -= a[i * n + k] * b[k];
      b[i] = s / a[i * n + i];
    }
  for (guint ii = n; ii > 0; ii--)
    {
      guint i = ii - 1;
      double s = b[i];

      for (guint k = i + 1; k < n; k++)
        s -= a[k * n + i] * b[k];
      b[i] = s / a[i * n + i];
    }
  return TRUE;
}

/* Newton–Raphson on the concave log-likelihood in β = ln p, one reference model per
 * component fixed at 0. Stops when the largest relative change of any p_i = e^β_i is
 * below KA_RATING_TOLERANCE, or as soon as a full step changed no p_i by more than
 * NEWTON_QUADRATIC_STOP: Newton's error squares at each step near the optimum (the
 * third derivative of the logistic log-likelihood is bounded by its second), so the
 * remaining error is then about NEWTON_QUADRATIC_STOP² = 10⁻¹², far below the tolerance,
 * and the confirming step (a quarter of a warm-started bootstrap fit) is skipped.
 *
 * A step is checked against the likelihood and halved until it does not decrease it
 * (backtracking), except that a full step moving no β_i by more than @trust is taken
 * unchecked: from a warm start (the bootstrap starts every replicate from the full-data
 * fit) every step is that small, and evaluating the likelihood cost as much as the rest
 * of the iteration. With @trust = 0 every step is checked; ka_bt_fit() retries that way if
 * the unchecked iteration does not converge. */
static gboolean
fit_newton (const KaBtProblem *p,
            KaBtWork          *w,
            double             trust,
            guint             *iterations)
{
  guint nv = p->n_var;
  double ll = NAN;

  for (guint it = 1; it <= NEWTON_MAX_ITERATIONS; it++)
    {
      double t = 1.0, ll_new = NAN, change = 0.0, largest = 0.0;

      memset (w->grad, 0, sizeof (double) * p->m);
      memset (w->hess, 0, sizeof (double) * nv * nv);
      for (guint k = 0; k < p->n_pairs; k++)
        {
          guint i = p->pair_i[k], j = p->pair_j[k];
          guint vi = p->var[i], vj = p->var[j];
          double sig = 1.0 / (1.0 + exp (w->beta[j] - w->beta[i]));
          double h = w->n[k] * sig * (1.0 - sig);
          double g = w->s_i[k] - w->n[k] * sig;

          w->grad[i] += g;
          w->grad[j] -= g;
          if (vi != G_MAXUINT)
            w->hess[vi * nv + vi] += h;
          if (vj != G_MAXUINT)
            w->hess[vj * nv + vj] += h;
          if (vi != G_MAXUINT && vj != G_MAXUINT)
            {
              w->hess[vi * nv + vj] -= h;
              w->hess[vj * nv + vi] -= h;
            }
        }
      for (guint i = 0; i < p->m; i++)
        if (p->var[i] != G_MAXUINT)
          w->rhs[p->var[i]] = w->grad[i];

      if (nv > 0 && !cholesky_solve (w->hess, w->rhs, nv))
        return FALSE;

      for (guint i = 0; i < p->m; i++)
        {
          w->step[i] = p->var[i] != G_MAXUINT ? w->rhs[p->var[i]] : 0.0;
          largest = MAX (largest, fabs (w->step[i]));
        }

      if (largest <= trust)
        {
          for (guint i = 0; i < p->m; i++)
            w->trial[i] = w->beta[i] + w->step[i];
        }
      else
        {
          if (isnan (ll))
            ll = log_likelihood (p, w, w->beta);
          for (;;)
            {
              for (guint i = 0; i < p->m; i++)
                w->trial[i] = w->beta[i] + t * w->step[i];
              ll_new = log_likelihood (p, w, w->trial);
              /* Accept any non-decrease, with slack for round-off near the optimum. */
              if (ll_new >= ll - 1e-12 * fabs (ll) || t < 1e-12)
                break;
              t *= 0.5;
            }
        }

      for (guint i = 0; i < p->m; i++)
        change = MAX (change, fabs (expm1 (t * w->step[i])));
      memcpy (w->beta, w->trial, sizeof (double) * p->m);
      ll = ll_new;

      if (change < KA_RATING_TOLERANCE || (t == 1.0 && change < NEWTON_QUADRATIC_STOP))
        {
          *iterations = it;
          return TRUE;
        }
    }
  return FALSE;
}

/* Zermelo's iteration as an MM algorithm (Hunter 2004, eq. 3), ties as half wins:
 *   p_i ← W_i / Σ_j n_ij / (p_i + p_j),
 * then each component rescaled so its reference model has p = 1. */
static gboolean
fit_mm (const KaBtProblem *p,
        KaBtWork          *w,
        guint         *iterations)
{
  double *pp = w->trial;     /* strengths */
  double *win = w->grad;     /* W_i */
  double *denom = w->step;

  memset (win, 0, sizeof (double) * p->m);
  for (guint k = 0; k < p->n_pairs; k++)
    {
      win[p->pair_i[k]] += w->s_i[k];
      win[p->pair_j[k]] += w->s_j[k];
    }
  for (guint i = 0; i < p->m; i++)
    pp[i] = exp (w->beta[i]);

  for (guint it = 1; it <= MM_MAX_ITERATIONS; it++)
    {
      double change = 0.0;

      memset (denom, 0, sizeof (double) * p->m);
      for (guint k = 0; k < p->n_pairs; k++)
        {
          guint i = p->pair_i[k], j = p->pair_j[k];
          double q = w->n[k] / (pp[i] + pp[j]);

          denom[i] += q;
          denom[j] += q;
        }
      for (guint i = 0; i < p->m; i++)
        if (denom[i] > 0.0)
          denom[i] = win[i] / denom[i];
        else
          denom[i] = pp[i];
      for (guint i = 0; i < p->m; i++)
        {
          double scale = denom[p->comp_ref[p->comp[i]]];
          double next = denom[i] / scale;

          change = MAX (change, fabs (next / pp[i] - 1.0));
          pp[i] = next;
        }
      if (change < KA_RATING_TOLERANCE)
        {
          for (guint i = 0; i < p->m; i++)
            w->beta[i] = log (pp[i]);
          *iterations = it;
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * ka_bt_fit:
 * @p: the problem
 * @w: a work area of @p; on success @w->beta holds the natural-log strengths (β = ln p,
 *   0 for each component's reference model) and @w->regularised which components needed
 *   the prior
 * @cell_count: (array): ballots per cell of @p (@p->cell_count, or a bootstrap replicate)
 * @method: Newton (the default; quadratic convergence) or MM (Hunter 2004, eq. 3; linear)
 * @start: (nullable) (array): strengths to start from (the full-data fit, for a warm
 *   start), or %NULL for β = 0
 * @iterations: (out): iterations to convergence
 * @n_regularised: (out) (optional): components that needed %KA_RATING_PRIOR_TIES
 *
 * Fits the Bradley–Terry model (Bradley & Terry 1952) by maximum likelihood, ties and
 * both-bad as half a win for each side (LMArena's convention). Where the MLE is infinite
 * (Zermelo 1929; Hunter 2004: the "scored against" graph of a component is not strongly
 * connected) one virtual tie is added to every compared pair of that component first.
 * Converges when the largest relative change of a strength is below
 * %KA_RATING_TOLERANCE (see fit_newton() for the stopping rule). If Newton's method fails
 * (a numerically singular Hessian) the MM iteration takes over.
 *
 * Returns: %TRUE on convergence
 */
gboolean
ka_bt_fit (const KaBtProblem  *p,
     KaBtWork           *w,
     const gint64   *cell_count,
     KaRatingMethod  method,
     const double   *start,
     guint          *iterations,
     guint          *n_regularised)
{
  guint n_reg;

  load_scores (p, w, cell_count);
  n_reg = regularise (p, w);
  if (n_regularised != NULL)
    *n_regularised = n_reg;

  if (start != NULL)
    memcpy (w->beta, start, sizeof (double) * p->m);
  else
    memset (w->beta, 0, sizeof (double) * p->m);

  if (method == KA_RATING_METHOD_MM)
    return fit_mm (p, w, iterations);
  if (fit_newton (p, w, NEWTON_TRUST, iterations))
    return TRUE;
  /* Unchecked steps did not converge: start again with every step checked. */
  if (start != NULL)
    memcpy (w->beta, start, sizeof (double) * p->m);
  else
    memset (w->beta, 0, sizeof (double) * p->m);
  if (fit_newton (p, w, 0.0, iterations))
    return TRUE;
  /* A numerically singular Hessian (extreme data): fall back to the slower MM. */
  memset (w->beta, 0, sizeof (double) * p->m);
  return fit_mm (p, w, iterations);
}

/**
 * ka_bt_to_elo:
 * @p: the problem
 * @beta: (array): natural-log strengths, @p->m of them
 * @anchor: a model index, or %G_MAXUINT for none
 * @anchor_value: the anchor's rating
 * @out: (out caller-allocates) (array): ratings on the Elo scale, R = 400·log10 p
 *   (LMArena), each component centred at %KA_RATING_CENTRE, or the anchor's component
 *   shifted so that @anchor has @anchor_value
 */
void
ka_bt_to_elo (const KaBtProblem *p,
        const double  *beta,
        guint          anchor,
        double         anchor_value,
        double        *out)
{
  const double scale = KA_RATING_ELO_SCALE / G_LN10;
  g_autofree double *sum = g_new0 (double, MAX (p->n_comp, 1));

  for (guint i = 0; i < p->m; i++)
    {
      out[i] = scale * beta[i];
      sum[p->comp[i]] += out[i];
    }
  for (guint c = 0; c < p->n_comp; c++)
    sum[c] = KA_RATING_CENTRE - sum[c] / p->comp_size[c];
  if (anchor != G_MAXUINT)
    sum[p->comp[anchor]] = anchor_value - out[anchor];
  for (guint i = 0; i < p->m; i++)
    out[i] += sum[p->comp[i]];
}
