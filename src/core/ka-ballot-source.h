/* ka-ballot-source.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ka-export.h"
#include "ka-rating.h"

G_BEGIN_DECLS

#define KA_BALLOT_SOURCE_ERROR (ka_ballot_source_error_quark ())

/**
 * KaBallotSourceError:
 * @KA_BALLOT_SOURCE_ERROR_COLLECTOR: the collector cannot be read (not reachable, token
 *   refused, an answer that is not ballots); the message says which, for organisers
 */
typedef enum
{
  KA_BALLOT_SOURCE_ERROR_COLLECTOR,
} KaBallotSourceError;

GQuark ka_ballot_source_error_quark (void);

typedef enum
{
  KA_BALLOT_SOURCE_STORE,
  KA_BALLOT_SOURCE_FILE,
  KA_BALLOT_SOURCE_COLLECTOR,
} KaBallotSourceKind;

/**
 * KaBallotLoad:
 * @log: the counted votes
 * @ballots: (nullable) (element-type KaBallot): our ballots; %NULL for FastChat battles
 * @packs: (element-type KaPack): the packs that could be read
 * @stats: what happened to each ballot
 * @input: ballots or FastChat battles
 * @n_source: ballots or battles in the source, counted or not
 * @categories: the categories of the counted votes
 * @modes: the modes of the counted votes
 * @notes: (element-type utf8): translated warnings about what could not be counted
 *
 * What one load of a #KaBallotSource yielded; immutable once returned.
 */
typedef struct
{
  KaVoteLog     *log;
  GPtrArray     *ballots;
  GPtrArray     *packs;
  KaExportStats  stats;
  KaInputKind    input;
  gint64         n_source;
  GStrv          categories;
  GStrv          modes;
  GPtrArray     *notes;
} KaBallotLoad;

void ka_ballot_load_free (KaBallotLoad *load);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaBallotLoad, ka_ballot_load_free)

#define KA_TYPE_BALLOT_SOURCE (ka_ballot_source_get_type ())

G_DECLARE_FINAL_TYPE (KaBallotSource, ka_ballot_source, KA, BALLOT_SOURCE, GObject)

KaBallotSource     *ka_ballot_source_new_store      (const char          *database_path);
KaBallotSource     *ka_ballot_source_new_file       (GFile               *file);
KaBallotSource     *ka_ballot_source_new_collector  (const char          *server_url,
                                                     const char          *organiser_token,
                                                     GError             **error);
KaBallotSourceKind  ka_ballot_source_get_kind       (KaBallotSource      *self);
gboolean            ka_ballot_source_get_downloading (KaBallotSource     *self);
void                ka_ballot_source_load_async     (KaBallotSource      *self,
                                                     const char * const  *pack_paths,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
KaBallotLoad       *ka_ballot_source_load_finish    (KaBallotSource      *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

G_END_DECLS
