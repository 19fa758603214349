/* ka-export.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ka-ballot.h"
#include "ka-pack.h"
#include "ka-rating.h"
#include "ka-collector-client.h"
#include "ka-export-audit.h"
#include "ka-export-writer.h"

G_BEGIN_DECLS

#define KA_EXPORT_FORMAT "kai-arena-export/1"

/* The files of an export directory. */
#define KA_EXPORT_BALLOTS_CSV    "ballots.csv"
#define KA_EXPORT_BALLOTS_JSONL  "ballots.jsonl"
#define KA_EXPORT_FASTCHAT       "battles-fastchat.json"
#define KA_EXPORT_TALLY_CSV      "tally.csv"
#define KA_EXPORT_MANIFEST       "manifest.json"

#define KA_EXPORT_ERROR (ka_export_error_quark ())

/**
 * KaExportError:
 * @KA_EXPORT_ERROR_PARSE: an input file is not what it should be (the message names the
 *   file, line or element, and field)
 * @KA_EXPORT_ERROR_INVALID: the request cannot be carried out (for example our ballots
 *   without a pack to reveal the models, or an export directory that is not empty)
 * @KA_EXPORT_ERROR_COLLECTOR: the collector refused the request or gave no ballots (the
 *   message carries its HTTP status and its JSON error code and message)
 */
typedef enum
{
  KA_EXPORT_ERROR_PARSE,
  KA_EXPORT_ERROR_INVALID,
  KA_EXPORT_ERROR_COLLECTOR,
} KaExportError;

GQuark ka_export_error_quark (void);

/**
 * KaInputKind:
 * @KA_INPUT_UNKNOWN: neither
 * @KA_INPUT_FASTCHAT: FastChat/LMArena battles (`model_a`, `model_b`, `winner`)
 * @KA_INPUT_BALLOTS: K-AI Arena ballots (DESIGN.md §4)
 */
typedef enum
{
  KA_INPUT_UNKNOWN,
  KA_INPUT_FASTCHAT,
  KA_INPUT_BALLOTS,
} KaInputKind;

/**
 * KaExportStats:
 * @added: ballots added to the vote log
 * @identity_flagged: ballots left out because `identity_flag` is set (DESIGN.md §7)
 * @unknown_response: ballots left out because a response is in none of the packs
 * @sealed: ballots left out because their pack is sealed (no model names)
 *
 * What ka_export_add_ballots() did with each ballot.
 */
typedef struct
{
  guint added;
  guint identity_flagged;
  guint unknown_response;
  guint sealed;
} KaExportStats;

const char  *ka_export_winner_to_fastchat   (KaWinner            winner);
gboolean     ka_export_winner_from_fastchat (const char         *str,
                                             KaWinner           *winner);
gint64       ka_export_parse_time           (const char         *rfc3339);
KaInputKind  ka_export_detect_input         (GBytes             *bytes);
gboolean     ka_export_load_fastchat        (KaVoteLog          *log,
                                             GBytes             *bytes,
                                             GError            **error);
GPtrArray   *ka_export_parse_ballots        (GBytes             *bytes,
                                             GError            **error);
gboolean     ka_export_add_ballots          (KaVoteLog          *log,
                                             GPtrArray          *ballots,
                                             GPtrArray          *packs,
                                             KaExportStats      *stats);
G_END_DECLS
