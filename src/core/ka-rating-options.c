/* ka-rating-options.c: options and filters of a tally; the rating error domain
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-rating"

#include "config.h"

#include <string.h>

#include "ka-rating-options.h"

G_DEFINE_QUARK (ka-rating-error-quark, ka_rating_error)

/**
 * ka_rating_options_init:
 * @options: (out caller-allocates): the options to fill
 *
 * Sets the defaults: %KA_RATING_DEFAULT_BOOTSTRAP rounds, seed 0, one thread per
 * processor, no anchor (the mean rating is 1000), Newton's method, online Elo with
 * K = %KA_RATING_ONLINE_K.
 */
void
ka_rating_options_init (KaRatingOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->bootstrap_rounds = KA_RATING_DEFAULT_BOOTSTRAP;
  options->seed = 0;
  options->n_threads = 0;
  options->anchor_model = NULL;
  options->anchor_value = KA_RATING_CENTRE;
  options->method = KA_RATING_METHOD_NEWTON;
  options->online_k = KA_RATING_ONLINE_K;
}

/**
 * ka_rating_filter_init:
 * @filter: (out caller-allocates): the filter to fill
 *
 * Sets a filter that keeps every ballot.
 */
void
ka_rating_filter_init (KaRatingFilter *filter)
{
  g_return_if_fail (filter != NULL);

  filter->category = NULL;
  filter->mode = NULL;
  filter->since_us = G_MININT64;
  filter->until_us = G_MAXINT64;
}
