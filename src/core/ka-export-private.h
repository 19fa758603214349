/* ka-export-private.h: helpers shared by the export readers, writer and audit
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <nettle/sha2.h>

#include "ka-export.h"

G_BEGIN_DECLS

#define UTF8_BOM "\xef\xbb\xbf"

/* The columns of ballots.csv (ka-export-writer.c). */
extern const char * const _ka_export_csv_columns[];

enum
{
  COL_CATEGORY = 6,
  COL_MODEL_A = 9,
  COL_MODEL_B = 10,
  N_COLUMNS = 20,
};

/* Calls @func on each object of a JSON array document or of a JSON Lines document, with
 * a 1-based element (array) or line (JSON Lines) number. */
typedef gboolean (*ObjectFunc) (JsonObject  *object,
                                guint        number,
                                gpointer     data,
                                GError     **error);

typedef enum
{
  REVEAL_OK,
  REVEAL_UNKNOWN,
  REVEAL_SEALED,
} RevealStatus;

/* SHA-256 as 64 lower-case hex digits into @hex (65 bytes), finishing @ctx. */
void          _ka_export_sha256_hex        (struct sha256_ctx *ctx,
                                            char            *hex);

/* ka-export.c */
gboolean      _ka_export_foreach_object    (GBytes          *bytes,
                                            const char      *what,
                                            ObjectFunc       func,
                                            gpointer         data,
                                            GError         **error);
const char   *_ka_export_get_string_member (JsonObject      *o,
                                            const char      *name);
gboolean      _ka_export_get_number_member (JsonObject      *o,
                                            const char      *name,
                                            double          *out);
KaPack       *_ka_export_find_pack         (GPtrArray       *packs,
                                            const char      *pack_id);
RevealStatus  _ka_export_reveal            (GPtrArray       *packs,
                                            const KaBallot  *b,
                                            const char     **model_a,
                                            const char     **model_b,
                                            const char     **category,
                                            guint           *n_turns);

/* ka-export-writer.c */
void          _ka_export_ballot_fields     (const KaBallot  *b,
                                            const char      *category,
                                            const char      *model_a,
                                            const char      *model_b,
                                            char           **fields);
int           _ka_export_compare_ballots   (gconstpointer    a,
                                            gconstpointer    b);
double        _ka_export_tstamp_of         (const KaBallot  *b);
char         *_ka_export_tally_csv_text    (GBytes          *fastchat,
                                            const KaRatingOptions *options,
                                            GError         **error);
char         *_ka_export_tally_csv_from_log (KaVoteLog      *log,
                                            const KaRatingOptions *options,
                                            GError         **error);
gboolean      _ka_export_ballot_hash_ok    (const KaBallot  *b,
                                            GString         *scratch);

/* ka-export-audit-stream.c */
gboolean      _ka_export_audit_stream      (const char      *dir,
                                            GPtrArray       *packs);

G_END_DECLS
