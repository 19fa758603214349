/* ka-identity-labels.h: the hand-labelled identity-guard set (tests/data/identity-labels)
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ka-pack.h"

G_BEGIN_DECLS

typedef struct
{
  char               *source;
  char               *model_id;
  char               *text;       /* the sentence, from the file or rebuilt from the data */
  gboolean            positive;   /* labelled "self" or "own" */
  const KaPackPrompt *prompt;     /* (nullable): owned by the set's packs */
} KaLabel;

typedef struct
{
  GPtrArray *labels;     /* KaLabel* */
  GPtrArray *packs;      /* KaPack*: keep the prompts alive */
  GPtrArray *prompts;    /* KaPackPrompt* made for AlpacaEval instructions */
  GString   *skipped;    /* sources not read, and why */
} KaLabelSet;

KaLabelSet *ka_label_set_load (void);
void        ka_label_set_free (KaLabelSet *set);

typedef gboolean (*KaLabelGuardFunc) (const KaLabel *label,
                                      gpointer       user_data);

typedef struct
{
  guint tp, fp, fn, tn;
} KaLabelScore;

void        ka_label_set_score (KaLabelSet       *set,
                                const char       *source,
                                KaLabelGuardFunc  func,
                                gpointer          user_data,
                                KaLabelScore     *score,
                                GPtrArray        *misses);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KaLabelSet, ka_label_set_free)

G_END_DECLS
