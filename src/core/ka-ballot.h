/* ka-ballot.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* prev_hash of the first ballot of every device chain: 64 zeros. */
#define KA_BALLOT_GENESIS_HASH "0000000000000000000000000000000000000000000000000000000000000000"

#define KA_BALLOT_ERROR (ka_ballot_error_quark ())

typedef enum
{
  KA_BALLOT_ERROR_INVALID,       /* a field is missing or malformed */
  KA_BALLOT_ERROR_CHAIN_BREAK,   /* a ballot is missing, altered or out of order */
} KaBallotError;

GQuark ka_ballot_error_quark (void);

/**
 * KaBallotChainBreak:
 * @KA_BALLOT_CHAIN_INTACT: no break
 * @KA_BALLOT_CHAIN_INVALID: ballots of several devices, or a missing field
 * @KA_BALLOT_CHAIN_HASH: a ballot's hash does not recompute from its content
 * @KA_BALLOT_CHAIN_MISSING: a seq is absent, or the first ballot does not start from the
 *   genesis hash
 * @KA_BALLOT_CHAIN_REORDERED: a ballot sits at another position, links to another
 *   predecessor, or repeats a seq
 * @KA_BALLOT_CHAIN_REPLACED: a `prev_hash` that matches no ballot: the ballot before was
 *   replaced or removed
 *
 * What ka_ballot_chain_verify_full() found, so callers sort breaks by kind and never by
 * the wording of the message.
 */
typedef enum
{
  KA_BALLOT_CHAIN_INTACT,
  KA_BALLOT_CHAIN_INVALID,
  KA_BALLOT_CHAIN_HASH,
  KA_BALLOT_CHAIN_MISSING,
  KA_BALLOT_CHAIN_REORDERED,
  KA_BALLOT_CHAIN_REPLACED,
} KaBallotChainBreak;

/**
 * KaWinner:
 * @KA_WINNER_MODEL_A: the left answer (`response_a`) is better
 * @KA_WINNER_MODEL_B: the right answer (`response_b`) is better
 * @KA_WINNER_TIE: both are equally good
 * @KA_WINNER_BOTH_BAD: both are bad
 *
 * Strings: `model_a`, `model_b`, `tie`, `both_bad` (FastChat/LMArena vocabulary).
 */
typedef enum
{
  KA_WINNER_MODEL_A,
  KA_WINNER_MODEL_B,
  KA_WINNER_TIE,
  KA_WINNER_BOTH_BAD,
} KaWinner;

typedef enum
{
  KA_MODE_CITIZEN,
  KA_MODE_KIOSK,
} KaMode;

const char *ka_winner_to_string   (KaWinner    winner);
gboolean    ka_winner_from_string (const char *str,
                                   KaWinner   *winner);
const char *ka_mode_to_string     (KaMode      mode);
gboolean    ka_mode_from_string   (const char *str,
                                   KaMode     *mode);

/**
 * KaBallot:
 *
 * One vote, as in DESIGN.md §4. All strings are owned UTF-8; timestamps are RFC 3339 UTC
 * with millisecond precision (`2026-11-29T12:00:00.123Z`).
 */
typedef struct
{
  char     *ballot_id;      /* UUID v4 */
  char     *device_id;
  char     *session_id;
  gint64    seq;            /* 1-based position in the device chain */
  char     *pack_id;
  char     *prompt_id;
  char     *response_a;     /* left */
  char     *response_b;     /* right */
  KaWinner  winner;
  char     *shown_at;
  char     *voted_at;
  gint64    decision_ms;
  KaMode    mode;
  char     *ui_language;
  gboolean  identity_flag;
  char     *prev_hash;      /* hex SHA-256 */
  char     *hash;           /* hex SHA-256 over the canonical JSON of all other fields */
} KaBallot;

#define KA_TYPE_BALLOT (ka_ballot_get_type ())

GType     ka_ballot_get_type        (void) G_GNUC_CONST;
KaBallot *ka_ballot_new             (void);
KaBallot *ka_ballot_copy            (const KaBallot *self);
void      ka_ballot_free            (KaBallot       *self);
char     *ka_ballot_canonical_json  (const KaBallot *self,
                                     gboolean        with_hash);
char     *ka_ballot_compute_hash    (const KaBallot *self);
gboolean  ka_ballot_verify_hash     (const KaBallot *self);
gboolean  ka_ballot_validate        (const KaBallot *self,
                                     gboolean        with_hash,
                                     GError        **error);
JsonNode *ka_ballot_to_json         (const KaBallot *self);
KaBallot *ka_ballot_new_from_json   (JsonNode       *node,
                                     GError        **error);
gboolean  ka_ballot_equal           (const KaBallot *a,
                                     const KaBallot *b);
gboolean  ka_ballot_chain_verify     (GPtrArray      *ballots,
                                     char          **head,
                                     GError        **error);
gboolean     ka_ballot_chain_verify_full (GPtrArray           *ballots,
                                         char               **head,
                                         KaBallotChainBreak  *kind,
                                         GError             **error);
char     *ka_timestamp_now          (void);
char     *ka_timestamp_format       (GDateTime      *dt);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaBallot, ka_ballot_free)

G_END_DECLS
