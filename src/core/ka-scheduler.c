/* ka-scheduler.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-scheduler"

#include "config.h"

#include <string.h>

#include "ka-scheduler.h"

/* The per-prompt model sets are 64-bit masks. */
G_STATIC_ASSERT (KA_PACK_MAX_MODELS <= 64);

/* Random draws tried before a prompt search falls back to a full scan. */
#define N_REJECTION_TRIES 8

typedef struct
{
  const KaPackResponse *response;
  guint                 model;      /* index into models; G_MAXUINT in a sealed pack */
} Entry;

typedef struct
{
  guint x;              /* model index, x < y */
  guint y;
  guint n_prompts;      /* prompts where both have an unflagged response */
  guint count;          /* battles issued or loaded */
  guint x_left;         /* of those, how many had x on the left */
} Pair;

struct _KaScheduler
{
  GObject parent_instance;

  /* owned */
  KaPack          *pack;
  KaIdentityGuard *guard;
  GRand           *rand;
  guint32          seed;
  gboolean         sealed;

  /* prompts, by pack index */
  guint                n_prompts;
  const KaPackPrompt **prompts;
  guint               *entry_offset;    /* n_prompts + 1 offsets into entries */
  Entry               *entries;         /* unflagged responses grouped by prompt */
  guint64             *model_mask;      /* open pack: models with an unflagged response */
  guint8              *schedulable;     /* at least one schedulable pair */
  guint                n_schedulable;
  guint                n_flagged;

  /* models (open pack only) */
  guint        n_models;
  GHashTable  *model_index;             /* model_id → index + 1 (borrowed keys) */
  guint       *model_left;
  guint       *model_right;

  /* unordered model pairs (open pack only) */
  guint  n_pairs;
  Pair  *pairs;
  guint  n_candidates;
  guint *candidates;                    /* pairs with n_prompts > 0 */
  guint *scratch;                       /* n_candidates, reused by next() */
  guint8 *tried;                        /* n_pairs, reused by next() */

  /* the current session */
  guint8 *seen;                         /* by prompt index */
  guint   n_unseen;                     /* schedulable prompts not yet seen */
};

G_DEFINE_FINAL_TYPE (KaScheduler, ka_scheduler, G_TYPE_OBJECT)

G_DEFINE_QUARK (ka-scheduler-error-quark, ka_scheduler_error)

enum {
  PROP_0,
  PROP_PACK,
  PROP_GUARD,
  PROP_SEED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static inline guint
pair_index (KaScheduler *self,
            guint        x,
            guint        y)
{
  g_assert (x < y && y < self->n_models);

  /* Row-major upper triangle without the diagonal. */
  return x * self->n_models - x * (x + 1) / 2 + (y - x - 1);
}

static gboolean
lookup_model_index (KaScheduler *self,
                    const char  *model_id,
                    guint       *index)
{
  gpointer value;

  if (model_id == NULL || self->model_index == NULL)
    return FALSE;

  value = g_hash_table_lookup (self->model_index, model_id);
  if (value == NULL)
    return FALSE;

  *index = GPOINTER_TO_UINT (value) - 1;
  return TRUE;
}

static void
build_tables (KaScheduler *self)
{
  g_autoptr(GHashTable) prompt_index = NULL;
  guint n_responses;
  guint *fill;
  guint n_entries = 0;

  self->sealed = ka_pack_is_sealed (self->pack);
  self->n_prompts = ka_pack_get_n_prompts (self->pack);
  self->prompts = g_new0 (const KaPackPrompt *, MAX (self->n_prompts, 1));
  self->entry_offset = g_new0 (guint, self->n_prompts + 1);
  self->model_mask = g_new0 (guint64, MAX (self->n_prompts, 1));
  self->schedulable = g_new0 (guint8, MAX (self->n_prompts, 1));
  self->seen = g_new0 (guint8, MAX (self->n_prompts, 1));

  prompt_index = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < self->n_prompts; i++)
    {
      self->prompts[i] = ka_pack_get_prompt (self->pack, i);
      g_hash_table_insert (prompt_index, self->prompts[i]->prompt_id, GUINT_TO_POINTER (i + 1));
    }

  if (!self->sealed)
    {
      self->n_models = MIN (ka_pack_get_n_models (self->pack), 64);
      self->model_index = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint m = 0; m < self->n_models; m++)
        {
          const KaPackModel *model = ka_pack_get_model (self->pack, m);

          g_hash_table_insert (self->model_index, model->model_id, GUINT_TO_POINTER (m + 1));
        }
    }
  self->model_left = g_new0 (guint, MAX (self->n_models, 1));
  self->model_right = g_new0 (guint, MAX (self->n_models, 1));

  /* Flag every response once, and count the unflagged ones per prompt. The flags
   * of a pack cannot change while this scheduler lives (the guard is immutable). */
  n_responses = ka_pack_get_n_responses (self->pack);
  {
    g_autofree guint *prompt_of = g_new (guint, MAX (n_responses, 1));
    g_autofree guint *model_of = g_new (guint, MAX (n_responses, 1));

    for (guint r = 0; r < n_responses; r++)
      {
        const KaPackResponse *response = ka_pack_get_response (self->pack, r);
        gpointer pi = g_hash_table_lookup (prompt_index, response->prompt_id);
        guint m = G_MAXUINT;

        prompt_of[r] = G_MAXUINT;

        if (ka_identity_guard_check_response (self->guard, response, NULL))
          {
            self->n_flagged++;
            continue;
          }

        if (pi == NULL)
          continue;

        if (!self->sealed && !lookup_model_index (self, response->model_id, &m))
          continue;

        prompt_of[r] = GPOINTER_TO_UINT (pi) - 1;
        model_of[r] = m;
        self->entry_offset[prompt_of[r] + 1]++;
        n_entries++;
      }

    for (guint i = 0; i < self->n_prompts; i++)
      self->entry_offset[i + 1] += self->entry_offset[i];

    self->entries = g_new0 (Entry, MAX (n_entries, 1));
    fill = g_memdup2 (self->entry_offset, sizeof (guint) * (self->n_prompts + 1));
    for (guint r = 0; r < n_responses; r++)
      {
        Entry *entry;

        if (prompt_of[r] == G_MAXUINT)
          continue;

        entry = &self->entries[fill[prompt_of[r]]++];
        entry->response = ka_pack_get_response (self->pack, r);
        entry->model = model_of[r];
        if (!self->sealed)
          self->model_mask[prompt_of[r]] |= G_GUINT64_CONSTANT (1) << model_of[r];
      }
    g_free (fill);
  }

  /* Pairs, and how many prompts each can be shown on. */
  if (!self->sealed && self->n_models >= 2)
    {
      self->n_pairs = self->n_models * (self->n_models - 1) / 2;
      self->pairs = g_new0 (Pair, self->n_pairs);
      for (guint x = 0; x < self->n_models; x++)
        for (guint y = x + 1; y < self->n_models; y++)
          {
            Pair *pair = &self->pairs[pair_index (self, x, y)];
            guint64 both = (G_GUINT64_CONSTANT (1) << x) | (G_GUINT64_CONSTANT (1) << y);

            pair->x = x;
            pair->y = y;
            for (guint i = 0; i < self->n_prompts; i++)
              if ((self->model_mask[i] & both) == both)
                pair->n_prompts++;
          }
    }

  self->candidates = g_new0 (guint, MAX (self->n_pairs, 1));
  self->scratch = g_new0 (guint, MAX (self->n_pairs, 1));
  self->tried = g_new0 (guint8, MAX (self->n_pairs, 1));
  for (guint p = 0; p < self->n_pairs; p++)
    if (self->pairs[p].n_prompts > 0)
      self->candidates[self->n_candidates++] = p;

  for (guint i = 0; i < self->n_prompts; i++)
    {
      gboolean ok;

      if (self->sealed)
        ok = self->entry_offset[i + 1] - self->entry_offset[i] >= 2;
      else
        /* Two distinct models, i.e. at least two bits set. */
        ok = (self->model_mask[i] & (self->model_mask[i] - 1)) != 0;

      self->schedulable[i] = ok;
      if (ok)
        self->n_schedulable++;
    }

  self->n_unseen = self->n_schedulable;

  g_debug ("pack %s: %u prompts schedulable of %u, %u responses flagged, %u candidate pairs",
           ka_pack_get_id (self->pack), self->n_schedulable, self->n_prompts,
           self->n_flagged, self->n_candidates);
}

static void
ka_scheduler_constructed (GObject *object)
{
  KaScheduler *self = KA_SCHEDULER (object);

  G_OBJECT_CLASS (ka_scheduler_parent_class)->constructed (object);

  g_assert (KA_IS_PACK (self->pack));

  if (self->guard == NULL)
    self->guard = ka_identity_guard_new_for_pack (self->pack);

  self->rand = g_rand_new_with_seed (self->seed);
  build_tables (self);
}

static void
ka_scheduler_dispose (GObject *object)
{
  KaScheduler *self = KA_SCHEDULER (object);

  g_clear_object (&self->guard);
  g_clear_object (&self->pack);

  G_OBJECT_CLASS (ka_scheduler_parent_class)->dispose (object);
}

static void
ka_scheduler_finalize (GObject *object)
{
  KaScheduler *self = KA_SCHEDULER (object);

  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->prompts, g_free);
  g_clear_pointer (&self->entry_offset, g_free);
  g_clear_pointer (&self->entries, g_free);
  g_clear_pointer (&self->model_mask, g_free);
  g_clear_pointer (&self->schedulable, g_free);
  g_clear_pointer (&self->model_index, g_hash_table_unref);
  g_clear_pointer (&self->model_left, g_free);
  g_clear_pointer (&self->model_right, g_free);
  g_clear_pointer (&self->pairs, g_free);
  g_clear_pointer (&self->candidates, g_free);
  g_clear_pointer (&self->scratch, g_free);
  g_clear_pointer (&self->tried, g_free);
  g_clear_pointer (&self->seen, g_free);

  G_OBJECT_CLASS (ka_scheduler_parent_class)->finalize (object);
}

static void
ka_scheduler_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  KaScheduler *self = KA_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_PACK:
      g_value_set_object (value, self->pack);
      break;

    case PROP_GUARD:
      g_value_set_object (value, self->guard);
      break;

    case PROP_SEED:
      g_value_set_uint (value, self->seed);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_scheduler_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  KaScheduler *self = KA_SCHEDULER (object);

  switch (prop_id)
    {
    case PROP_PACK:
      self->pack = g_value_dup_object (value);
      break;

    case PROP_GUARD:
      self->guard = g_value_dup_object (value);
      break;

    case PROP_SEED:
      self->seed = g_value_get_uint (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_scheduler_class_init (KaSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ka_scheduler_constructed;
  object_class->dispose = ka_scheduler_dispose;
  object_class->finalize = ka_scheduler_finalize;
  object_class->get_property = ka_scheduler_get_property;
  object_class->set_property = ka_scheduler_set_property;

  properties[PROP_PACK] =
    g_param_spec_object ("pack", NULL, NULL,
                         KA_TYPE_PACK,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_GUARD] =
    g_param_spec_object ("guard", NULL, NULL,
                         KA_TYPE_IDENTITY_GUARD,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SEED] =
    g_param_spec_uint ("seed", NULL, NULL,
                       0, G_MAXUINT32, 0,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ka_scheduler_init (KaScheduler *self)
{
}

/**
 * ka_scheduler_new:
 * @pack: the pack to schedule battles from (open or sealed)
 * @guard: (nullable): the identity guard; %NULL builds ka_identity_guard_new_for_pack()
 * @seed: seed of the scheduler's random number generator (a #GRand); the same pack,
 *   seed, history and call sequence give the same battles
 *
 * Creates a scheduler (DESIGN.md §5). Every response of @pack is checked by @guard once,
 * here; a flagged response is never scheduled (DESIGN.md §7).
 *
 * For an open pack the candidate pairs are the unordered model pairs that share at least
 * one prompt where both models have an unflagged response. For a sealed pack (no model
 * IDs) a prompt is schedulable when it has two unflagged responses; see docs/scheduling.md.
 *
 * Returns: (transfer full): a new #KaScheduler with zero counts and a fresh session
 */
KaScheduler *
ka_scheduler_new (KaPack          *pack,
                  KaIdentityGuard *guard,
                  guint32          seed)
{
  g_return_val_if_fail (KA_IS_PACK (pack), NULL);
  g_return_val_if_fail (guard == NULL || KA_IS_IDENTITY_GUARD (guard), NULL);

  return g_object_new (KA_TYPE_SCHEDULER,
                       "pack", pack,
                       "guard", guard,
                       "seed", (guint) seed,
                       NULL);
}

/**
 * ka_scheduler_get_pack:
 * @self: a #KaScheduler
 *
 * Returns: (transfer none): the pack battles are drawn from
 */
KaPack *
ka_scheduler_get_pack (KaScheduler *self)
{
  g_return_val_if_fail (KA_IS_SCHEDULER (self), NULL);

  return self->pack;
}

/**
 * ka_scheduler_get_guard:
 * @self: a #KaScheduler
 *
 * Returns: (transfer none): the identity guard the responses were checked with
 */
KaIdentityGuard *
ka_scheduler_get_guard (KaScheduler *self)
{
  g_return_val_if_fail (KA_IS_SCHEDULER (self), NULL);

  return self->guard;
}

static void
clear_counts (KaScheduler *self)
{
  for (guint p = 0; p < self->n_pairs; p++)
    {
      self->pairs[p].count = 0;
      self->pairs[p].x_left = 0;
    }
  memset (self->model_left, 0, sizeof (guint) * MAX (self->n_models, 1));
  memset (self->model_right, 0, sizeof (guint) * MAX (self->n_models, 1));
}

/**
 * ka_scheduler_count_battle:
 * @self: a #KaScheduler
 * @response_a: ID of the response that was shown on the left
 * @response_b: ID of the response that was shown on the right
 *
 * Adds one battle to the pair and side counts, as if this scheduler had issued it.
 * ka_scheduler_next() counts its own battles; this is for battles from elsewhere (the
 * store's history). Unknown response IDs, two responses of the same model, and any battle
 * of a sealed pack (whose models are unknown) are ignored.
 */
void
ka_scheduler_count_battle (KaScheduler *self,
                           const char  *response_a,
                           const char  *response_b)
{
  const KaPackResponse *ra;
  const KaPackResponse *rb;
  guint a, b;
  Pair *pair;

  g_return_if_fail (KA_IS_SCHEDULER (self));
  g_return_if_fail (response_a != NULL);
  g_return_if_fail (response_b != NULL);

  if (self->sealed)
    return;

  ra = ka_pack_lookup_response (self->pack, response_a);
  rb = ka_pack_lookup_response (self->pack, response_b);
  if (ra == NULL || rb == NULL)
    return;

  if (!lookup_model_index (self, ra->model_id, &a) ||
      !lookup_model_index (self, rb->model_id, &b) ||
      a == b)
    return;

  pair = &self->pairs[pair_index (self, MIN (a, b), MAX (a, b))];
  pair->count++;
  if (a < b)
    pair->x_left++;
  self->model_left[a]++;
  self->model_right[b]++;
}

/**
 * ka_scheduler_load_history:
 * @self: a #KaScheduler
 * @store: the store holding this device's ballots
 * @error: return location for a #KaStoreError
 *
 * Replaces the pair and side counts with those of every ballot of this pack in @store
 * (ka_store_list_ballots()), so balance carries on across restarts of the app. Battles
 * this scheduler issued before the call are forgotten unless their ballots are in
 * @store; call it once, right after construction. The session's seen prompts are kept.
 *
 * Returns: %TRUE on success; on failure the counts are unchanged
 */
gboolean
ka_scheduler_load_history (KaScheduler *self,
                           KaStore     *store,
                           GError     **error)
{
  g_autoptr(GPtrArray) ballots = NULL;

  g_return_val_if_fail (KA_IS_SCHEDULER (self), FALSE);
  g_return_val_if_fail (KA_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ballots = ka_store_list_ballots (store, ka_pack_get_id (self->pack), error);
  if (ballots == NULL)
    return FALSE;

  clear_counts (self);
  for (guint i = 0; i < ballots->len; i++)
    {
      const KaBallot *ballot = g_ptr_array_index (ballots, i);

      if (g_strcmp0 (ballot->pack_id, ka_pack_get_id (self->pack)) != 0 ||
          ballot->response_a == NULL || ballot->response_b == NULL)
        continue;

      ka_scheduler_count_battle (self, ballot->response_a, ballot->response_b);
    }

  g_debug ("loaded %u ballots of pack %s", ballots->len, ka_pack_get_id (self->pack));

  return TRUE;
}

/* Whether prompt @i can be shown to this session for the model set @need (0 for a
 * sealed pack, where any schedulable prompt will do). */
static inline gboolean
prompt_available (KaScheduler *self,
                  guint        i,
                  guint64      need)
{
  if (self->seen[i] || !self->schedulable[i])
    return FALSE;

  return (self->model_mask[i] & need) == need;
}

/* A uniformly random unseen prompt whose model set includes @need, or G_MAXUINT.
 * A few rejection draws first (cheap while most prompts are unseen), then an exact
 * count-and-pick scan. Both stages are uniform over the available prompts, so their
 * combination is too. */
static guint
pick_prompt (KaScheduler *self,
             guint64      need)
{
  guint n_available = 0;
  guint k;

  for (guint t = 0; t < N_REJECTION_TRIES; t++)
    {
      guint i = g_rand_int_range (self->rand, 0, (gint32) self->n_prompts);

      if (prompt_available (self, i, need))
        return i;
    }

  for (guint i = 0; i < self->n_prompts; i++)
    if (prompt_available (self, i, need))
      n_available++;

  if (n_available == 0)
    return G_MAXUINT;

  k = g_rand_int_range (self->rand, 0, (gint32) n_available);
  for (guint i = 0; i < self->n_prompts; i++)
    if (prompt_available (self, i, need) && k-- == 0)
      return i;

  g_assert_not_reached ();
}

/* A uniformly random unflagged response of model @m to prompt @i. */
static const KaPackResponse *
pick_response (KaScheduler *self,
               guint        i,
               guint        m)
{
  guint n = 0;
  guint k;

  for (guint e = self->entry_offset[i]; e < self->entry_offset[i + 1]; e++)
    if (self->entries[e].model == m)
      n++;

  g_assert (n > 0);
  k = n == 1 ? 0 : (guint) g_rand_int_range (self->rand, 0, (gint32) n);

  for (guint e = self->entry_offset[i]; e < self->entry_offset[i + 1]; e++)
    if (self->entries[e].model == m && k-- == 0)
      return self->entries[e].response;

  g_assert_not_reached ();
}

static void
mark_seen (KaScheduler *self,
           guint        i)
{
  g_assert (!self->seen[i] && self->schedulable[i]);

  self->seen[i] = TRUE;
  self->n_unseen--;
}

static KaBattle *
next_sealed (KaScheduler *self)
{
  guint i, n, a, b;

  i = pick_prompt (self, 0);
  g_assert (i != G_MAXUINT);

  /* Two distinct random entries; drawing the left one first makes the sides random. */
  n = self->entry_offset[i + 1] - self->entry_offset[i];
  a = g_rand_int_range (self->rand, 0, (gint32) n);
  b = g_rand_int_range (self->rand, 0, (gint32) n - 1);
  if (b >= a)
    b++;

  mark_seen (self, i);

  return ka_battle_new (self->pack,
                        self->prompts[i],
                        self->entries[self->entry_offset[i] + a].response,
                        self->entries[self->entry_offset[i] + b].response);
}

static KaBattle *
next_open (KaScheduler *self)
{
  Pair *pair = NULL;
  guint i = G_MAXUINT;
  guint left, right;
  gint x_minus_y;

  memset (self->tried, 0, self->n_pairs);

  /* Fewest battles first, ties by the RNG; a pair with no prompt left for this session
   * is set aside and the next one in that order is tried. */
  for (;;)
    {
      guint min_count = G_MAXUINT;
      guint n_ties = 0;
      guint choice;

      for (guint c = 0; c < self->n_candidates; c++)
        {
          guint p = self->candidates[c];

          if (self->tried[p])
            continue;

          if (self->pairs[p].count < min_count)
            {
              min_count = self->pairs[p].count;
              n_ties = 0;
            }
          if (self->pairs[p].count == min_count)
            self->scratch[n_ties++] = p;
        }

      /* Cannot happen while an unseen schedulable prompt is left: such a prompt has two
       * models with unflagged responses, so their pair is a candidate. */
      g_assert (n_ties > 0);

      choice = n_ties == 1 ? 0 : (guint) g_rand_int_range (self->rand, 0, (gint32) n_ties);
      pair = &self->pairs[self->scratch[choice]];
      i = pick_prompt (self, (G_GUINT64_CONSTANT (1) << pair->x) |
                             (G_GUINT64_CONSTANT (1) << pair->y));
      if (i != G_MAXUINT)
        break;

      self->tried[pair_index (self, pair->x, pair->y)] = TRUE;
    }

  /* Sides: first balance the pair's own orientation, then each model's overall
   * left-minus-right difference, then the RNG. */
  x_minus_y = (gint) pair->x_left - (gint) (pair->count - pair->x_left);
  if (x_minus_y == 0)
    {
      gint64 dx = (gint64) self->model_left[pair->x] - self->model_right[pair->x];
      gint64 dy = (gint64) self->model_left[pair->y] - self->model_right[pair->y];

      x_minus_y = dx < dy ? -1 : dx > dy ? 1 : 0;
    }
  if (x_minus_y == 0)
    x_minus_y = g_rand_boolean (self->rand) ? -1 : 1;

  if (x_minus_y < 0)
    {
      left = pair->x;
      right = pair->y;
      pair->x_left++;
    }
  else
    {
      left = pair->y;
      right = pair->x;
    }
  pair->count++;
  self->model_left[left]++;
  self->model_right[right]++;

  mark_seen (self, i);

  return ka_battle_new (self->pack,
                        self->prompts[i],
                        pick_response (self, i, left),
                        pick_response (self, i, right));
}

/**
 * ka_scheduler_next:
 * @self: a #KaScheduler
 * @error: return location for a #KaSchedulerError
 *
 * Chooses the next battle (DESIGN.md §5). For an open pack: the candidate pair with the
 * fewest battles (ties broken by the seeded RNG); on the left the model that has sat on
 * the left less, first within the pair, then overall (left minus right), then by the
 * RNG; and a prompt chosen uniformly among those this session has not seen on which both
 * models have an unflagged response. When the pair has no such prompt the next pair in
 * that order is tried. For a sealed pack: a random unseen prompt with two random distinct
 * unflagged responses on random sides.
 *
 * The battle is counted, and its prompt marked seen, as it is issued.
 *
 * Returns: (transfer full): the battle, or %NULL with %KA_SCHEDULER_ERROR_NO_BATTLES if
 *   the pack has nothing to schedule, or %KA_SCHEDULER_ERROR_EXHAUSTED if this session
 *   has seen every schedulable prompt (see ka_scheduler_reset_session())
 */
KaBattle *
ka_scheduler_next (KaScheduler *self,
                   GError     **error)
{
  g_return_val_if_fail (KA_IS_SCHEDULER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->n_schedulable == 0)
    {
      g_set_error (error, KA_SCHEDULER_ERROR, KA_SCHEDULER_ERROR_NO_BATTLES,
                   "Pack “%s” has no two unflagged responses to compare on any prompt",
                   ka_pack_get_id (self->pack));
      return NULL;
    }

  if (self->n_unseen == 0)
    {
      g_set_error (error, KA_SCHEDULER_ERROR, KA_SCHEDULER_ERROR_EXHAUSTED,
                   "This session has seen all %u prompts of pack “%s”",
                   self->n_schedulable, ka_pack_get_id (self->pack));
      return NULL;
    }

  if (self->sealed)
    return next_sealed (self);
  else
    return next_open (self);
}

/**
 * ka_scheduler_reset_session:
 * @self: a #KaScheduler
 *
 * Starts a new session: forgets which prompts were seen (a kiosk wipe, a new visitor).
 * Pair and side counts are kept.
 */
void
ka_scheduler_reset_session (KaScheduler *self)
{
  g_return_if_fail (KA_IS_SCHEDULER (self));

  memset (self->seen, 0, MAX (self->n_prompts, 1));
  self->n_unseen = self->n_schedulable;
}

/**
 * ka_scheduler_get_n_schedulable_prompts:
 * @self: a #KaScheduler
 *
 * Returns: how many prompts can be shown at all (two models, or in a sealed pack two
 *   responses, with unflagged responses); a session is exhausted after that many battles
 */
guint
ka_scheduler_get_n_schedulable_prompts (KaScheduler *self)
{
  g_return_val_if_fail (KA_IS_SCHEDULER (self), 0);

  return self->n_schedulable;
}

/**
 * ka_scheduler_get_n_unseen_prompts:
 * @self: a #KaScheduler
 *
 * Returns: how many schedulable prompts this session has not seen yet
 */
guint
ka_scheduler_get_n_unseen_prompts (KaScheduler *self)
{
  g_return_val_if_fail (KA_IS_SCHEDULER (self), 0);

  return self->n_unseen;
}

/**
 * ka_scheduler_get_n_flagged:
 * @self: a #KaScheduler
 *
 * Returns: how many responses of the pack the identity guard flagged (never scheduled)
 */
guint
ka_scheduler_get_n_flagged (KaScheduler *self)
{
  g_return_val_if_fail (KA_IS_SCHEDULER (self), 0);

  return self->n_flagged;
}

/**
 * ka_scheduler_get_n_pairs:
 * @self: a #KaScheduler
 *
 * Returns: how many unordered model pairs can be scheduled (share at least one prompt
 *   with unflagged responses from both); 0 for a sealed pack
 */
guint
ka_scheduler_get_n_pairs (KaScheduler *self)
{
  g_return_val_if_fail (KA_IS_SCHEDULER (self), 0);

  return self->n_candidates;
}

/**
 * ka_scheduler_get_pair:
 * @self: a #KaScheduler
 * @index: index of a schedulable pair, below ka_scheduler_get_n_pairs()
 * @model_x: (out) (optional) (transfer none): the pair's first model ID (pack order)
 * @model_y: (out) (optional) (transfer none): the pair's second model ID
 *
 * Enumerates the schedulable pairs, for reports.
 */
void
ka_scheduler_get_pair (KaScheduler  *self,
                       guint         index,
                       const char  **model_x,
                       const char  **model_y)
{
  const Pair *pair;

  g_return_if_fail (KA_IS_SCHEDULER (self));
  g_return_if_fail (index < self->n_candidates);

  pair = &self->pairs[self->candidates[index]];
  if (model_x != NULL)
    *model_x = ka_pack_get_model (self->pack, pair->x)->model_id;
  if (model_y != NULL)
    *model_y = ka_pack_get_model (self->pack, pair->y)->model_id;
}

/**
 * ka_scheduler_get_pair_count:
 * @self: a #KaScheduler
 * @model_x: a model ID
 * @model_y: another model ID (order does not matter)
 *
 * Returns: battles of this pair issued or loaded from history, either way round;
 *   0 for unknown models, a model with itself, or a sealed pack
 */
guint
ka_scheduler_get_pair_count (KaScheduler *self,
                             const char  *model_x,
                             const char  *model_y)
{
  guint x, y;

  g_return_val_if_fail (KA_IS_SCHEDULER (self), 0);
  g_return_val_if_fail (model_x != NULL, 0);
  g_return_val_if_fail (model_y != NULL, 0);

  if (!lookup_model_index (self, model_x, &x) ||
      !lookup_model_index (self, model_y, &y) ||
      x == y)
    return 0;

  return self->pairs[pair_index (self, MIN (x, y), MAX (x, y))].count;
}

/**
 * ka_scheduler_get_pair_side_count:
 * @self: a #KaScheduler
 * @model_left: a model ID
 * @model_right: another model ID
 *
 * Returns: battles of this pair with @model_left on the left and @model_right on the right
 */
guint
ka_scheduler_get_pair_side_count (KaScheduler *self,
                                  const char  *model_left,
                                  const char  *model_right)
{
  const Pair *pair;
  guint l, r;

  g_return_val_if_fail (KA_IS_SCHEDULER (self), 0);
  g_return_val_if_fail (model_left != NULL, 0);
  g_return_val_if_fail (model_right != NULL, 0);

  if (!lookup_model_index (self, model_left, &l) ||
      !lookup_model_index (self, model_right, &r) ||
      l == r)
    return 0;

  pair = &self->pairs[pair_index (self, MIN (l, r), MAX (l, r))];

  return l < r ? pair->x_left : pair->count - pair->x_left;
}

/**
 * ka_scheduler_get_side_count:
 * @self: a #KaScheduler
 * @model_id: a model ID
 * @left: %TRUE for the left side (`response_a`), %FALSE for the right
 *
 * Returns: battles issued or loaded with @model_id on that side; 0 for an unknown model
 *   or a sealed pack
 */
guint
ka_scheduler_get_side_count (KaScheduler *self,
                             const char  *model_id,
                             gboolean     left)
{
  guint m;

  g_return_val_if_fail (KA_IS_SCHEDULER (self), 0);
  g_return_val_if_fail (model_id != NULL, 0);

  if (!lookup_model_index (self, model_id, &m))
    return 0;

  return left ? self->model_left[m] : self->model_right[m];
}
