/* ka-rating.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ka-ballot.h"

G_BEGIN_DECLS

/* Conventions of LMArena/FastChat (fastchat/serve/monitor/rating_systems.py). */
#define KA_RATING_ELO_SCALE          400.0   /* R = 400·log10(p) */
#define KA_RATING_CENTRE             1000.0  /* mean rating of a component */
#define KA_RATING_ONLINE_K           4.0     /* online Elo step */
#define KA_RATING_DEFAULT_BOOTSTRAP  1000    /* bootstrap rounds */
#define KA_RATING_TOLERANCE          1e-9    /* relative change at convergence */
#define KA_RATING_PRIOR_TIES         1.0     /* virtual ties per compared pair, when needed */

#define KA_RATING_ERROR (ka_rating_error_quark ())

/**
 * KaRatingError:
 * @KA_RATING_ERROR_NO_DATA: no ballot (after filtering), or fewer than two models
 * @KA_RATING_ERROR_INVALID: an option is invalid (for example an anchor model that is not
 *   in the data)
 * @KA_RATING_ERROR_NOT_CONVERGED: the fit did not converge (should not happen; reported
 *   rather than returning a wrong rating)
 */
typedef enum
{
  KA_RATING_ERROR_NO_DATA,
  KA_RATING_ERROR_INVALID,
  KA_RATING_ERROR_NOT_CONVERGED,
} KaRatingError;

GQuark ka_rating_error_quark (void);

/**
 * KaRatingMethod:
 * @KA_RATING_METHOD_NEWTON: Newton–Raphson on the log-likelihood with backtracking
 *   (quadratic convergence; the default)
 * @KA_RATING_METHOD_MM: Zermelo's iteration, the minorisation–maximisation algorithm of
 *   Hunter (2004), with ties as half wins (linear convergence; kept as a cross-check)
 */
typedef enum
{
  KA_RATING_METHOD_NEWTON,
  KA_RATING_METHOD_MM,
} KaRatingMethod;

/**
 * KaRatingOptions:
 * @bootstrap_rounds: bootstrap rounds for the intervals; 0 for none (the interval is then
 *   the point rating)
 * @seed: seed of the bootstrap; round r uses its own generator seeded from (@seed, r), so
 *   the result does not depend on @n_threads
 * @n_threads: worker threads for the bootstrap; 0 for one per processor
 * @anchor_model: (nullable): if set, ratings are shifted so that this model has
 *   @anchor_value (in its component) instead of centring the mean at 1000
 * @anchor_value: the anchor model's rating
 * @method: the fitting method
 * @online_k: step of the online Elo indicator (ka_rating_tally() only); 0 to skip it
 *
 * Initialise with ka_rating_options_init(). Borrowed strings.
 */
typedef struct
{
  guint           bootstrap_rounds;
  guint64         seed;
  guint           n_threads;
  const char     *anchor_model;
  double          anchor_value;
  KaRatingMethod  method;
  double          online_k;
} KaRatingOptions;

void ka_rating_options_init (KaRatingOptions *options);

/**
 * KaRatingFilter:
 * @category: (nullable): keep only ballots on prompts of this category
 * @mode: (nullable): keep only ballots cast in this mode (`citizen`, `kiosk`)
 * @since_us: keep only ballots voted at or after this time (µs since the Unix epoch);
 *   %G_MININT64 for no lower bound
 * @until_us: keep only ballots voted strictly before this time; %G_MAXINT64 for no bound
 *
 * Initialise with ka_rating_filter_init() (which keeps everything). A ballot without a
 * time is dropped as soon as either time bound is set. Borrowed strings.
 */
typedef struct
{
  const char *category;
  const char *mode;
  gint64      since_us;
  gint64      until_us;
} KaRatingFilter;

void ka_rating_filter_init (KaRatingFilter *filter);

/* Aggregated counts ------------------------------------------------------------------ */

typedef struct _KaRatingCounts KaRatingCounts;

#define KA_TYPE_RATING_COUNTS (ka_rating_counts_get_type ())

GType           ka_rating_counts_get_type     (void) G_GNUC_CONST;
KaRatingCounts *ka_rating_counts_new          (void);
KaRatingCounts *ka_rating_counts_ref          (KaRatingCounts *self);
void            ka_rating_counts_unref        (KaRatingCounts *self);
guint           ka_rating_counts_add_model    (KaRatingCounts *self,
                                               const char     *model);
gboolean        ka_rating_counts_lookup_model (KaRatingCounts *self,
                                               const char     *model,
                                               guint          *index);
guint           ka_rating_counts_get_n_models (KaRatingCounts *self);
const char     *ka_rating_counts_get_model    (KaRatingCounts *self,
                                               guint           index);
void            ka_rating_counts_add          (KaRatingCounts *self,
                                               guint           model_a,
                                               guint           model_b,
                                               KaWinner        winner,
                                               gint64          count);
gint64          ka_rating_counts_get          (KaRatingCounts *self,
                                               guint           model_a,
                                               guint           model_b,
                                               KaWinner        winner);
gint64          ka_rating_counts_get_total    (KaRatingCounts *self);
KaRatingCounts *ka_rating_counts_resample     (KaRatingCounts *self,
                                               GRand          *rand);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaRatingCounts, ka_rating_counts_unref)

/* Ballots in time order, before aggregation ------------------------------------------ */

typedef struct _KaVoteLog KaVoteLog;

#define KA_TYPE_VOTE_LOG (ka_vote_log_get_type ())

GType           ka_vote_log_get_type         (void) G_GNUC_CONST;
KaVoteLog      *ka_vote_log_new              (void);
KaVoteLog      *ka_vote_log_ref              (KaVoteLog            *self);
void            ka_vote_log_unref            (KaVoteLog            *self);
gboolean        ka_vote_log_add              (KaVoteLog            *self,
                                              const char           *model_a,
                                              const char           *model_b,
                                              KaWinner              winner,
                                              gint64                time_us,
                                              const char           *category,
                                              const char           *mode);
guint           ka_vote_log_get_n_votes      (KaVoteLog            *self);
guint           ka_vote_log_get_n_models     (KaVoteLog            *self);
const char     *ka_vote_log_get_model        (KaVoteLog            *self,
                                              guint                 index);
GStrv           ka_vote_log_list_categories  (KaVoteLog            *self);
GStrv           ka_vote_log_list_modes       (KaVoteLog            *self);
KaRatingCounts *ka_vote_log_aggregate        (KaVoteLog            *self,
                                              const KaRatingFilter *filter);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaVoteLog, ka_vote_log_unref)

/* Results ---------------------------------------------------------------------------- */

/**
 * KaRatingEntry:
 * @model: the model's name
 * @rating: Bradley–Terry rating on the Elo scale
 * @ci_lower: 2.5th percentile of the bootstrap ratings (equal to @rating without bootstrap)
 * @ci_upper: 97.5th percentile of the bootstrap ratings
 * @rank: 1 + the number of models of the same component whose @ci_lower is above this
 *   model's @ci_upper (LMArena's "Rank (UB)")
 * @component: index of the model's component of the comparison graph (0 = the largest);
 *   ratings of different components are not comparable
 * @battles: ballots involving the model
 * @wins: ballots it won (either side)
 * @losses: ballots it lost
 * @ties: ballots voted `tie`
 * @both_bad: ballots voted `both_bad` (counted as ties in the fit)
 * @win_rate: @wins / (@wins + @losses), ties excluded; NAN without a decisive ballot
 * @online_elo: online Elo indicator (K = 4); NAN when not computed
 * @regularised: the model's component needed the prior (see ka_rating_compute())
 *
 * One row of the leaderboard; owned by its #KaRatingResult.
 */
typedef struct
{
  const char *model;
  double      rating;
  double      ci_lower;
  double      ci_upper;
  guint       rank;
  guint       component;
  gint64      battles;
  gint64      wins;
  gint64      losses;
  gint64      ties;
  gint64      both_bad;
  double      win_rate;
  double      online_elo;
  gboolean    regularised;
} KaRatingEntry;

typedef struct _KaRatingResult KaRatingResult;

#define KA_TYPE_RATING_RESULT (ka_rating_result_get_type ())

GType                ka_rating_result_get_type              (void) G_GNUC_CONST;
KaRatingResult      *ka_rating_result_ref                   (KaRatingResult *self);
void                 ka_rating_result_unref                 (KaRatingResult *self);
guint                ka_rating_result_get_n_models          (KaRatingResult *self);
const KaRatingEntry *ka_rating_result_get_entry             (KaRatingResult *self,
                                                             guint           index);
const KaRatingEntry *ka_rating_result_lookup                (KaRatingResult *self,
                                                             const char     *model,
                                                             guint          *index);
gint64               ka_rating_result_get_n_ballots         (KaRatingResult *self);
gint64               ka_rating_result_get_battles           (KaRatingResult *self,
                                                             guint           i,
                                                             guint           j);
double               ka_rating_result_get_win_rate          (KaRatingResult *self,
                                                             guint           i,
                                                             guint           j);
void                 ka_rating_result_get_position_bias     (KaRatingResult *self,
                                                             gint64         *left_wins,
                                                             gint64         *decisive,
                                                             double         *share,
                                                             double         *lower,
                                                             double         *upper);
guint                ka_rating_result_get_n_components      (KaRatingResult *self);
const char * const  *ka_rating_result_get_warnings          (KaRatingResult *self);
guint                ka_rating_result_get_bootstrap_rounds  (KaRatingResult *self);
guint64              ka_rating_result_get_seed              (KaRatingResult *self);
guint                ka_rating_result_get_prior_rounds      (KaRatingResult *self);
guint                ka_rating_result_get_iterations        (KaRatingResult *self);
JsonNode            *ka_rating_result_to_json               (KaRatingResult *self);
char                *ka_rating_result_to_csv                (KaRatingResult *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaRatingResult, ka_rating_result_unref)

/* Computation ------------------------------------------------------------------------ */

KaRatingResult *ka_rating_compute      (KaRatingCounts        *counts,
                                        const KaRatingOptions *options,
                                        GCancellable          *cancellable,
                                        GError               **error);
KaRatingResult *ka_rating_tally        (KaVoteLog             *log,
                                        const KaRatingFilter  *filter,
                                        const KaRatingOptions *options,
                                        GCancellable          *cancellable,
                                        GError               **error);
void            ka_rating_tally_async  (KaVoteLog             *log,
                                        const KaRatingFilter  *filter,
                                        const KaRatingOptions *options,
                                        GCancellable          *cancellable,
                                        GAsyncReadyCallback    callback,
                                        gpointer               user_data);
KaRatingResult *ka_rating_tally_finish (GAsyncResult          *result,
                                        GError               **error);
void            ka_rating_wilson_interval (gint64              successes,
                                           gint64              trials,
                                           double             *lower,
                                           double             *upper);

G_END_DECLS
