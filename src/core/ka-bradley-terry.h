/* ka-bradley-terry.h: Bradley–Terry maximum likelihood: Newton and MM solvers
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ka-rating-counts.h"
#include "ka-rating-options.h"

G_BEGIN_DECLS

/* The problem in compact form: the unordered pairs that were compared, and the non-zero
 * cells of the count matrix mapped onto them. */
typedef struct
{
  guint   m;
  guint   n_pairs;
  guint  *pair_i;       /* i < j */
  guint  *pair_j;
  guint   n_cells;
  gint64 *cell_count;
  guint  *cell_pair;
  guint8 *cell_kind;    /* 0: pair_i won, 1: pair_j won, 2: tie, 3: both bad */
  guint   n_comp;
  guint  *comp;         /* model → component */
  guint  *comp_size;
  guint  *comp_ref;     /* component → reference model (β = 0) */
  guint  *var;          /* model → Newton variable, G_MAXUINT for a reference */
  guint   n_var;
  guint  *adj_start;    /* CSR: model → incident pairs */
  guint  *adj;
} KaBtProblem;

/* Working state of one fit (one per thread). */
typedef struct
{
  double *s_i;      /* per pair: score of pair_i (wins + half the ties) */
  double *s_j;
  double *n;        /* per pair: ballots */
  double *beta;     /* per model, natural log strength */
  double *trial;
  double *grad;     /* per model */
  double *hess;     /* n_var × n_var */
  double *step;     /* per model */
  double *rhs;
  guint  *queue;
  guint8 *seen;
  gboolean *regularised;  /* per component */
} KaBtWork;

KaBtProblem *ka_bt_problem_new  (KaRatingCounts *counts);
void         ka_bt_problem_free (KaBtProblem    *p);
KaBtWork    *ka_bt_work_new     (const KaBtProblem *p);
void         ka_bt_work_free    (KaBtWork          *w);
gboolean     ka_bt_fit          (const KaBtProblem *p,
                                 KaBtWork          *w,
                                 const gint64      *cell_count,
                                 KaRatingMethod     method,
                                 const double      *start,
                                 guint             *iterations,
                                 guint             *n_regularised);
void         ka_bt_to_elo       (const KaBtProblem *p,
                                 const double      *beta,
                                 guint              anchor,
                                 double             anchor_value,
                                 double            *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaBtProblem, ka_bt_problem_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaBtWork, ka_bt_work_free)

G_END_DECLS
