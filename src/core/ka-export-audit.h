/* ka-export-audit.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ka-pack.h"

G_BEGIN_DECLS

/**
 * KaAuditKind:
 * @KA_AUDIT_MISSING: a file, row or ballot that should be there is not
 * @KA_AUDIT_ALTERED: a file, row or field differs from what was exported
 * @KA_AUDIT_REORDERED: rows or ballots are out of their exported order
 * @KA_AUDIT_UNEXPECTED: a file, row or ballot that was not exported
 * @KA_AUDIT_UNREADABLE: a file cannot be parsed at all
 */
typedef enum
{
  KA_AUDIT_MISSING,
  KA_AUDIT_ALTERED,
  KA_AUDIT_REORDERED,
  KA_AUDIT_UNEXPECTED,
  KA_AUDIT_UNREADABLE,
} KaAuditKind;

/**
 * KaAuditProblem:
 * @kind: what is wrong
 * @file: the file concerned (a name inside the export directory)
 * @ballot_id: (nullable): the ballot concerned, when there is one
 * @message: a readable sentence naming the row, field or chain position
 */
typedef struct
{
  KaAuditKind  kind;
  char        *file;
  char        *ballot_id;
  char        *message;
} KaAuditProblem;

#define KA_AUDIT_ERROR (ka_audit_error_quark ())

/**
 * KaAuditError:
 * @KA_AUDIT_ERROR_CHAIN_MISSING: a seq is absent from a device's chain, or its first ballot
 *   does not start from the genesis hash
 * @KA_AUDIT_ERROR_CHAIN_HASH: a ballot's hash does not recompute from its content
 * @KA_AUDIT_ERROR_CHAIN_REORDERED: a ballot sits at another position, links to another
 *   predecessor, or repeats a seq
 * @KA_AUDIT_ERROR_CHAIN_REPLACED: a `prev_hash` matches no ballot: the ballot before it was
 *   replaced or removed
 * @KA_AUDIT_ERROR_CHAIN_INVALID: not one device's chain, or a field is missing
 *
 * The kinds of chain break of ka_audit_verify_chain().
 */
typedef enum
{
  KA_AUDIT_ERROR_CHAIN_MISSING,
  KA_AUDIT_ERROR_CHAIN_HASH,
  KA_AUDIT_ERROR_CHAIN_REORDERED,
  KA_AUDIT_ERROR_CHAIN_REPLACED,
  KA_AUDIT_ERROR_CHAIN_INVALID,
} KaAuditError;

GQuark       ka_audit_error_quark           (void);
gboolean     ka_audit_verify_chain          (GPtrArray          *ballots,
                                             GError            **error);
KaAuditKind  ka_audit_kind_from_error       (const GError       *error);
const char  *ka_audit_kind_to_string        (KaAuditKind         kind);
void         ka_audit_problem_free          (KaAuditProblem     *problem);
GPtrArray   *ka_export_audit                (const char         *dir,
                                             GPtrArray          *packs,
                                             GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaAuditProblem, ka_audit_problem_free)

G_END_DECLS
