/* ka-rating-options.h: options and filters of a tally; the rating error domain
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

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

G_END_DECLS
