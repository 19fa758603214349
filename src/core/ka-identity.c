/* ka-identity.c: the identity-leak guard (DESIGN.md §7)
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-identity"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ka-identity.h"
#include "ka-plain-text.h"
#include "ka-text-fold.h"

/* How a term matches (docs/pack-format.md, "Identity guard"). Since issue 10 a name flags
 * only in self-identification (FIND_SELF), where TERM_CONTEXT and TERM_VERSIONED do not
 * apply; they still shape a topical match (FIND_TOPIC). */
typedef enum
{
  TERM_STRONG    = 0,       /* any word-bounded occurrence flags the response */
  TERM_CASE      = 1 << 0,  /* exact case only ("PaLM" is not "palm") */
  TERM_CONTEXT   = 1 << 1,  /* an everyday word or a big brand: flags only in a sentence that
                             * also speaks of AI ("model", "AI", "인공지능", …) */
  TERM_VERSIONED = 1 << 2,  /* with TERM_CONTEXT: a version number right after it is
                             * context enough ("Llama 3", "라마3") */
  TERM_PERSON    = 1 << 3,  /* a first name too: not before a capitalised surname
                             * ("Claude Monet") */
  TERM_SELF      = 1 << 4,  /* not a name: "… trained by" in a self-description ("As a large
                             * language model trained by researchers at …") */
  TERM_FINGERPRINT = 1 << 5,  /* a vendor's boilerplate: flags wherever it appears */
  TERM_OWN       = 1 << 6,  /* a name of the answer's own model ("GPT-4o" in gpt-4o's answer):
                             * flags wherever it appears, unless the prompt uses it */
} TermFlags;

typedef struct
{
  const char *text;
  TermFlags   flags;
  const char *not_followed_by;   /* '|'-separated; cancels the match when it follows */
  const char *not_preceded_by;   /* '|'-separated; cancels the match when it precedes */
} BuiltinTerm;

/* Model, product and vendor names in English and Korean. Order matters only for which term
 * a report names when a text holds several. Tuned on the real outputs in ../shared/data
 * (ko_arena_hard, mt_bench, logickor); see tests/test-identity.c for the measured rates. */
static const BuiltinTerm builtin_terms[] = {
  /* OpenAI */
  { "ChatGPT", TERM_STRONG, NULL, NULL },
  { "챗GPT", TERM_STRONG, NULL, NULL },
  { "챗지피티", TERM_STRONG, NULL, NULL },
  { "OpenAI", TERM_STRONG, NULL, NULL },
  { "Open AI", TERM_CASE, NULL, NULL },
  { "오픈AI", TERM_STRONG, NULL, NULL },
  { "오픈에이아이", TERM_STRONG, NULL, NULL },
  { "GPT", TERM_STRONG, NULL, NULL },
  { "지피티", TERM_STRONG, NULL, NULL },
  /* Anthropic */
  { "Anthropic", TERM_CASE, " principle| reasoning| bias", NULL },
  { "앤트로픽", TERM_STRONG, NULL, NULL },
  { "앤스로픽", TERM_STRONG, NULL, NULL },
  { "Claude", TERM_PERSON, NULL, "jean-|jean |jean‑" },
  { "클로드", TERM_STRONG, " 모네| 드뷔시| 섀넌| 레비| 베르나르| 로랭| 반담", "장-|장 " },
  /* Google */
  { "Gemini", TERM_STRONG,
    " constellation| zodiac| program| project| capsule| spacecraft| mission| sign| twins",
    "project |nasa's |nasa " },
  { "제미나이", TERM_STRONG, NULL, NULL },
  { "제미니", TERM_STRONG, " 계획| 프로젝트| 우주선| 별자리", NULL },
  { "Gemma", TERM_PERSON, NULL, NULL },
  { "젬마", TERM_STRONG, NULL, NULL },
  { "PaLM", TERM_CASE, NULL, NULL },
  { "Google Bard", TERM_STRONG, NULL, NULL },
  { "Bard", TERM_CASE | TERM_CONTEXT, NULL, "the |The " },
  { "DeepMind", TERM_STRONG, NULL, NULL },
  { "딥마인드", TERM_STRONG, NULL, NULL },
  { "Google", TERM_CONTEXT, NULL, NULL },
  { "구글", TERM_CONTEXT, NULL, NULL },
  /* A fingerprint, not a name: PaLM 2 / Bard's canned refusal in the MT-bench answers. */
  { "If you believe this is an error, please send us your feedback", TERM_FINGERPRINT, NULL, NULL },
  /* Meta */
  { "Meta AI", TERM_CASE, NULL, NULL },
  { "Meta", TERM_CASE | TERM_CONTEXT, NULL, NULL },
  { "메타", TERM_CONTEXT, NULL, NULL },
  { "LLaMA", TERM_CASE, NULL, NULL },
  { "Llama", TERM_CONTEXT | TERM_VERSIONED, NULL, NULL },
  { "라마", TERM_CONTEXT | TERM_VERSIONED, NULL, "달라이 " },
  /* Alibaba */
  { "Qwen", TERM_STRONG, NULL, NULL },
  { "큐웬", TERM_STRONG, NULL, NULL },
  { "큐원", TERM_CONTEXT, NULL, NULL },   /* also a sugar brand */
  { "Tongyi", TERM_STRONG, NULL, NULL },
  { "통의천문", TERM_STRONG, NULL, NULL },
  { "通义千问", TERM_STRONG, NULL, NULL },
  { "通义", TERM_STRONG, NULL, NULL },
  { "Alibaba Cloud", TERM_STRONG, NULL, NULL },
  { "알리바바 클라우드", TERM_STRONG, NULL, NULL },
  { "알리바바클라우드", TERM_STRONG, NULL, NULL },
  { "阿里云", TERM_STRONG, NULL, NULL },
  { "Alibaba", TERM_CONTEXT, NULL, NULL },
  { "알리바바", TERM_CONTEXT, NULL, NULL },
  /* DeepSeek */
  { "DeepSeek", TERM_STRONG, NULL, NULL },
  { "딥시크", TERM_STRONG, NULL, NULL },
  { "深度求索", TERM_STRONG, NULL, NULL },
  /* Mistral AI */
  { "Mistral", TERM_CASE, " wind", NULL },
  { "Mixtral", TERM_STRONG, NULL, NULL },
  { "미스트랄", TERM_STRONG, NULL, NULL },
  /* Naver Cloud */
  { "HyperCLOVA", TERM_STRONG, NULL, NULL },
  { "하이퍼클로바", TERM_STRONG, NULL, NULL },
  { "CLOVA", TERM_STRONG, NULL, NULL },
  { "클로바", TERM_STRONG, NULL, NULL },
  { "Naver", TERM_CONTEXT, NULL, NULL },
  { "네이버", TERM_CONTEXT, NULL, NULL },
  /* Upstage */
  { "Upstage", TERM_CASE, NULL, NULL },
  { "업스테이지", TERM_STRONG, NULL, NULL },
  { "Solar Pro", TERM_STRONG, NULL, NULL },
  { "Solar Mini", TERM_STRONG, NULL, NULL },
  { "Solar", TERM_CASE | TERM_CONTEXT | TERM_VERSIONED, NULL, NULL },
  { "SOLAR", TERM_CASE | TERM_CONTEXT | TERM_VERSIONED, NULL, NULL },
  { "솔라", TERM_CONTEXT | TERM_VERSIONED, NULL, NULL },
  /* SK Telecom */
  { "A.X", TERM_CASE, NULL, NULL },
  { "에이닷", TERM_STRONG, NULL, NULL },
  { "SK Telecom", TERM_CONTEXT, NULL, NULL },
  { "SK텔레콤", TERM_CONTEXT, NULL, NULL },
  { "SKT", TERM_CASE | TERM_CONTEXT, NULL, NULL },
  /* NC AI */
  { "VARCO", TERM_STRONG, NULL, NULL },
  { "바르코", TERM_STRONG, NULL, NULL },
  { "NC AI", TERM_CASE, NULL, NULL },
  { "NCSOFT", TERM_CONTEXT, NULL, NULL },
  { "엔씨소프트", TERM_CONTEXT, NULL, NULL },
  { "엔씨", TERM_CONTEXT, NULL, NULL },
  /* LG AI Research */
  { "EXAONE", TERM_STRONG, NULL, NULL },
  { "엑사원", TERM_STRONG, NULL, NULL },
  { "LG AI", TERM_CASE, NULL, NULL },
  /* Kakao */
  { "Kanana", TERM_STRONG, NULL, NULL },
  { "카나나", TERM_STRONG, NULL, NULL },
  { "Kakao", TERM_CONTEXT, NULL, NULL },
  { "카카오", TERM_CONTEXT, NULL, NULL },
  /* Others often met in evaluations */
  { "Microsoft", TERM_CONTEXT, NULL, NULL },
  { "마이크로소프트", TERM_CONTEXT, NULL, NULL },
  { "Copilot", TERM_CONTEXT, NULL, NULL },
  { "Phi", TERM_CASE | TERM_CONTEXT | TERM_VERSIONED, NULL, NULL },
  { "Grok", TERM_CASE, NULL, NULL },
  { "xAI", TERM_CASE, NULL, NULL },
  { "Cohere", TERM_CASE | TERM_CONTEXT, NULL, NULL },
  { "Command R", TERM_CASE | TERM_CONTEXT, NULL, NULL },
  { "ChatGLM", TERM_STRONG, NULL, NULL },
  { "Zhipu", TERM_STRONG, NULL, NULL },
  { "ERNIE Bot", TERM_STRONG, NULL, NULL },
  { "LMSYS", TERM_STRONG, NULL, NULL },
  { "Vicuna", TERM_CONTEXT | TERM_VERSIONED, NULL, NULL },
  { "Falcon", TERM_CONTEXT | TERM_VERSIONED, NULL, NULL },
  { "Alpaca", TERM_CONTEXT | TERM_VERSIONED, NULL, NULL },
  { "Koala", TERM_CONTEXT | TERM_VERSIONED, NULL, NULL },
  { "Dolly", TERM_CONTEXT | TERM_VERSIONED, NULL, NULL },
  { "Guanaco", TERM_CONTEXT | TERM_VERSIONED, NULL, NULL },
  { "Orca", TERM_CONTEXT | TERM_VERSIONED, NULL, NULL },
  { "Tulu", TERM_CONTEXT | TERM_VERSIONED, NULL, NULL },
  { "Baize", TERM_CONTEXT | TERM_VERSIONED, NULL, NULL },
  { "Databricks", TERM_CONTEXT, NULL, NULL },
  { "StableLM", TERM_STRONG, NULL, NULL },
  { "MosaicML", TERM_STRONG, NULL, NULL },
  /* The programme's teams and models not listed above */
  { "HyperCLOVA X", TERM_STRONG, NULL, NULL },
  { "하이퍼클로바X", TERM_STRONG, NULL, NULL },
  { "CLOVA X", TERM_STRONG, NULL, NULL },
  { "클로바X", TERM_STRONG, NULL, NULL },
  { "네이버클라우드", TERM_STRONG, NULL, NULL },
  { "NAVER Cloud", TERM_STRONG, NULL, NULL },
  { "에이닷엑스", TERM_STRONG, NULL, NULL },
  { "VAETKI", TERM_STRONG, NULL, NULL },
  { "LG AI Research", TERM_STRONG, NULL, NULL },
  { "LG AI연구원", TERM_STRONG, NULL, NULL },
  { "Mi:dm", TERM_STRONG, NULL, NULL },
  /* Other vendors of the public leaderboards (issue 10: the guard knew only 8 families) */
  { "그록", TERM_STRONG, NULL, NULL },
  { "Command A", TERM_CASE, NULL, NULL },
  { "Aya", TERM_CASE, NULL, NULL },
  { "코히어", TERM_STRONG, NULL, NULL },
  { "Amazon Nova", TERM_STRONG, NULL, NULL },
  { "Nova", TERM_CASE, NULL, NULL },
  { "Amazon", TERM_CONTEXT, NULL, NULL },
  { "아마존", TERM_CONTEXT, NULL, NULL },
  { "Titan", TERM_CASE | TERM_CONTEXT, NULL, NULL },
  { "Jamba", TERM_STRONG, NULL, NULL },
  { "AI21", TERM_STRONG, NULL, NULL },
  { "OLMo", TERM_CASE, NULL, NULL },
  { "Ai2", TERM_CASE, NULL, NULL },
  { "AI2", TERM_CASE, NULL, NULL },
  { "Allen Institute", TERM_STRONG, NULL, NULL },
  { "Liquid AI", TERM_STRONG, NULL, NULL },
  { "LFM", TERM_CASE, NULL, NULL },
  { "MiniMax", TERM_CASE, NULL, NULL },
  { "미니맥스", TERM_STRONG, NULL, NULL },
  { "o1", TERM_CASE, NULL, NULL },
  { "o3", TERM_CASE, NULL, NULL },
  { "o4-mini", TERM_CASE, NULL, NULL },
  { "Baidu", TERM_CONTEXT, NULL, NULL },
  { "ERNIE", TERM_CASE, NULL, NULL },
  { "Kimi", TERM_CASE, NULL, NULL },
  { "Moonshot AI", TERM_STRONG, NULL, NULL },
  { "GLM", TERM_CASE, NULL, NULL },
  { "Nemotron", TERM_STRONG, NULL, NULL },
  { "Yanolja", TERM_STRONG, NULL, NULL },
  { "야놀자", TERM_CONTEXT, NULL, NULL },
  { "EEVE", TERM_STRONG, NULL, NULL },
  { "KULLM", TERM_STRONG, NULL, NULL },
  { "Synatra", TERM_STRONG, NULL, NULL },
  { "Bllossom", TERM_STRONG, NULL, NULL },
  { "WizardLM", TERM_STRONG, NULL, NULL },
  { "Hermes", TERM_CASE | TERM_CONTEXT, NULL, NULL },
  { "Nous Research", TERM_STRONG, NULL, NULL },
  { "OpenAssistant", TERM_STRONG, NULL, NULL },
  { "Open Assistant", TERM_CASE, NULL, NULL },
  { "LAION", TERM_STRONG, NULL, NULL },
  { "RWKV", TERM_STRONG, NULL, NULL },
  { "Pythia", TERM_CASE | TERM_CONTEXT, NULL, NULL },
  { "EleutherAI", TERM_STRONG, NULL, NULL },
  { "Stability AI", TERM_STRONG, NULL, NULL },
  { "GPT4All", TERM_STRONG, NULL, NULL },
  { "FastChat", TERM_STRONG, NULL, NULL },
  { "UC Berkeley", TERM_CONTEXT, NULL, NULL },
  { "BAIR", TERM_CASE, NULL, NULL },
  { "H2O.ai", TERM_STRONG, NULL, NULL },
  { "h2oGPT", TERM_STRONG, NULL, NULL },
  /* Self-descriptions that name a maker we may not know. */
  { "trained by", TERM_SELF, NULL, NULL },
  { "created by", TERM_SELF, NULL, NULL },
  { "developed by", TERM_SELF, NULL, NULL },
  { "built by", TERM_SELF, NULL, NULL },
  { "made by", TERM_SELF, NULL, NULL },
};

/* Words after a Korean term that still leave it a name: particles and the suffixes a
 * company or model name takes ("라마는", "구글에서", "클로드입니다", "메타사"). Anything else
 * makes it part of another word ("라마단", "메타버스", "구글링"). */
static const char * const hangul_suffixes[] = {
  "은", "는", "이", "가", "을", "를", "의", "에", "와", "과", "도", "로", "으로", "만",
  "까지", "부터", "보다", "처럼", "같이", "나", "랑", "하고", "께", "야", "여", "요",
  "라", "란", "사", "측", "제", "식", "형", "팀", "계열", "기반", "모델", "버전", "씨", "님",
  "뿐", "조차", "마저", "밖에", "한테", "입니다", "인", "임", "였", "이었", "예요", "에요",
};

/* Sentence words that make a TERM_CONTEXT name about AI. */
typedef struct
{
  const char *text;
  gboolean    match_case;
} Cue;

static const Cue ai_cues[] = {
  { "AI", TRUE },
  { "A.I.", TRUE },
  { "LLM", FALSE },
  { "model", FALSE },
  { "chatbot", FALSE },
  { "assistant", FALSE },
  { "인공지능", FALSE },
  { "모델", FALSE },
  { "챗봇", FALSE },
  { "어시스턴트", FALSE },
  { "에이아이", FALSE },
};


/* Allowed words after "Claude" that keep it the model ("Claude Instant", "Claude 3"). */
static const char * const person_exceptions[] = {
  "AI", "Instant", "Sonnet", "Opus", "Haiku", "Code", "Pro", "Max", NULL,
};

#define CONTEXT_WINDOW  300     /* bytes each side searched for an AI cue */
#define SELF_WINDOW     60      /* bytes before a term searched for a self-reference */
#define SELF_MAX_WORDS  8       /* words allowed between the self-reference and the term */

/* Names made of parts that still read as the name with a space or hyphen between them
 * ("Deep Seek", "오픈 AI", "딥 시크"); '|' marks where. A space inside any term is such a
 * place too ("Open AI" also matches "OpenAI", "Open-AI"). */
static const char * const split_names[] = {
  "Chat|GPT", "챗|GPT", "챗|지피티", "Open|AI", "오픈|AI", "오픈|에이아이", "Deep|Mind",
  "딥|마인드", "Deep|Seek", "딥|시크", "Hyper|CLOVA", "하이퍼|클로바", "알리바바|클라우드",
  "SK|텔레콤", "엔씨|소프트", "마이크로|소프트", "Chat|GLM",
};

#define MAX_SEPARATORS  3       /* spaces, tabs or hyphens allowed between parts of a name */

/* The text the guard matches in: ka_text_fold() (docs/pack-format.md). Returns a new
 * string. */
static char *
normalise_for_matching (const char *text)
{
  return ka_text_fold (text, -1);
}

typedef enum
{
  CLASS_OTHER,
  CLASS_LETTER,   /* ASCII letter */
  CLASS_DIGIT,    /* ASCII digit */
  CLASS_HANGUL,
} CharClass;

typedef struct
{
  char       *text;       /* as listed */
  char       *folded;     /* normalised (see normalise_for_matching()), ASCII lower case */
  gsize       len;        /* of parts[0] */
  char      **parts;      /* normalised, as listed: the words between optional separators */
  char      **folded_parts;   /* the same, ASCII lower case */
  TermFlags   flags;
  char      **not_followed_by;  /* folded */
  char      **not_preceded_by;  /* folded */
  CharClass   head;
  CharClass   tail;
} Term;

struct _KaIdentityGuard
{
  GObject    parent_instance;

  GPtrArray  *terms;    /* Term*, built-in first */
  KaPack     *pack;     /* (nullable) (owned): to find a response's prompt */

  /* model_id → ModelTerms*: each model's own names, filled lazily. */
  GMutex      echo_lock;
  GHashTable *models;

  char       *version;      /* (nullable): ka_identity_guard_get_version() */
  GHashTable *pack_flags;   /* (nullable): response_id → term, the verdicts on the pack */
};

G_DEFINE_FINAL_TYPE (KaIdentityGuard, ka_identity_guard, G_TYPE_OBJECT)

static void model_terms_free (gpointer data);

static gboolean
is_hangul (gunichar c)
{
  return (c >= 0xAC00 && c <= 0xD7A3) ||   /* syllables */
         (c >= 0x1100 && c <= 0x11FF) ||   /* jamo */
         (c >= 0x3130 && c <= 0x318F);     /* compatibility jamo */
}

static CharClass
char_class (gunichar c)
{
  if (c < 0x80 && g_ascii_isalpha ((char) c))
    return CLASS_LETTER;
  if (c < 0x80 && g_ascii_isdigit ((char) c))
    return CLASS_DIGIT;
  if (is_hangul (c))
    return CLASS_HANGUL;
  return CLASS_OTHER;
}

static char **
split_folded (const char *list)
{
  g_auto(GStrv) parts = NULL;

  if (list == NULL)
    return NULL;
  parts = g_strsplit (list, "|", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *normal = normalise_for_matching (parts[i]);
      char *folded = g_ascii_strdown (normal, -1);

      g_free (parts[i]);
      parts[i] = folded;
    }
  return g_steal_pointer (&parts);
}

static void
term_free (gpointer data)
{
  Term *term = data;

  g_free (term->text);
  g_free (term->folded);
  g_strfreev (term->parts);
  g_strfreev (term->folded_parts);
  g_strfreev (term->not_followed_by);
  g_strfreev (term->not_preceded_by);
  g_free (term);
}

/* The parts of a normalised term: split at a space or where split_names says. NULL when
 * nothing is left (a term of spaces or invisible characters only). */
static char **
term_parts (const char *normal)
{
  g_autofree char *spec = NULL;
  g_auto(GStrv) pieces = NULL;
  GPtrArray *parts = g_ptr_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (split_names) && spec == NULL; i++)
    {
      g_auto(GStrv) split = g_strsplit (split_names[i], "|", -1);
      g_autofree char *joined = g_strjoinv ("", split);

      if (g_str_equal (joined, normal))
        spec = g_strdup (split_names[i]);
    }
  if (spec == NULL)
    spec = g_strdup (normal);
  g_strdelimit (spec, " \t", '|');

  pieces = g_strsplit (spec, "|", -1);
  for (guint i = 0; pieces[i] != NULL; i++)
    if (pieces[i][0] != '\0')
      g_ptr_array_add (parts, g_strdup (pieces[i]));
  if (parts->len == 0)
    {
      g_ptr_array_unref (parts);
      return NULL;
    }
  g_ptr_array_add (parts, NULL);
  return (char **) g_ptr_array_free (parts, FALSE);
}

/* NULL when @text has nothing to match. */
static Term *
term_new (const char *text,
          TermFlags   flags,
          const char *not_followed_by,
          const char *not_preceded_by)
{
  g_autofree char *normal = normalise_for_matching (text);
  char **parts = term_parts (normal);
  const char *last;
  Term *term;
  guint n;

  if (parts == NULL)
    return NULL;

  term = g_new0 (Term, 1);
  term->text = g_strdup (text);
  term->folded = g_ascii_strdown (normal, -1);
  term->parts = parts;
  n = g_strv_length (parts);
  term->folded_parts = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    term->folded_parts[i] = g_ascii_strdown (parts[i], -1);
  term->len = strlen (parts[0]);
  term->flags = flags;
  term->not_followed_by = split_folded (not_followed_by);
  term->not_preceded_by = split_folded (not_preceded_by);
  last = parts[n - 1];
  term->head = char_class (g_utf8_get_char (parts[0]));
  term->tail = char_class (g_utf8_get_char (g_utf8_prev_char (last + strlen (last))));
  return term;
}

static void
ka_identity_guard_finalize (GObject *object)
{
  KaIdentityGuard *self = KA_IDENTITY_GUARD (object);

  g_clear_pointer (&self->terms, g_ptr_array_unref);
  g_clear_object (&self->pack);
  g_clear_pointer (&self->models, g_hash_table_unref);
  g_clear_pointer (&self->version, g_free);
  g_clear_pointer (&self->pack_flags, g_hash_table_unref);
  g_mutex_clear (&self->echo_lock);

  G_OBJECT_CLASS (ka_identity_guard_parent_class)->finalize (object);
}

static void
ka_identity_guard_class_init (KaIdentityGuardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ka_identity_guard_finalize;
}

static void
ka_identity_guard_init (KaIdentityGuard *self)
{
  self->terms = g_ptr_array_new_with_free_func (term_free);
  g_mutex_init (&self->echo_lock);
  self->models = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, model_terms_free);
  for (guint i = 0; i < G_N_ELEMENTS (builtin_terms); i++)
    {
      const BuiltinTerm *b = &builtin_terms[i];

      g_ptr_array_add (self->terms,
                       term_new (b->text, b->flags, b->not_followed_by, b->not_preceded_by));
    }
}

static void
add_extra_terms (KaIdentityGuard    *self,
                 const char * const *extra_terms)
{
  if (extra_terms == NULL)
    return;

  for (guint i = 0; extra_terms[i] != NULL; i++)
    {
      g_autofree char *normal = NULL;
      g_autofree char *folded = NULL;
      gboolean known = FALSE;

      if (extra_terms[i][0] == '\0' || !g_utf8_validate (extra_terms[i], -1, NULL))
        continue;

      /* A pack term that is also built in keeps the built-in rules: "Google" in a pack's
       * list must not start flagging "Google Pixel". */
      normal = normalise_for_matching (extra_terms[i]);
      folded = g_ascii_strdown (normal, -1);
      for (guint j = 0; j < self->terms->len && !known; j++)
        {
          const Term *term = g_ptr_array_index (self->terms, j);

          known = g_str_equal (term->folded, folded);
        }
      if (!known)
        {
          Term *term = term_new (extra_terms[i], TERM_STRONG, NULL, NULL);

          if (term != NULL)
            g_ptr_array_add (self->terms, term);
        }
    }
}

/**
 * ka_identity_guard_new:
 * @extra_terms: (nullable) (array zero-terminated=1): more names to look for, such as a
 *   pack's `identity_terms`
 *
 * Creates a guard that looks for self-identification with the built-in model and vendor
 * names (ka_identity_guard_get_builtin_terms()) plus @extra_terms. An extra term that equals
 * a built-in one (ignoring ASCII case) keeps the built-in matching rules; any other extra
 * term matches ignoring ASCII case, on word boundaries, folded like the text.
 *
 * Returns: (transfer full): a new guard
 */
KaIdentityGuard *
ka_identity_guard_new (const char * const *extra_terms)
{
  KaIdentityGuard *self = g_object_new (KA_TYPE_IDENTITY_GUARD, NULL);

  add_extra_terms (self, extra_terms);
  return self;
}

/**
 * ka_identity_guard_new_for_pack:
 * @pack: a #KaPack
 *
 * Creates a guard for @pack: the built-in names, the pack's `identity_terms` and, for each
 * of the pack's models, its family's names (ka_identity_terms_for_model()), its ID's and
 * display name's meaningful parts, its organisation and its own versioned names. The guard
 * keeps a reference to @pack so that ka_identity_guard_check_response() knows who wrote a
 * response and the prompt it answers: a model's own name that the prompt itself uses
 * (MT-bench question 98 asks about GPT-4) is not held against the answers unless an answer
 * uses it to describe itself.
 *
 * Returns: (transfer full): a new guard
 */
KaIdentityGuard *
ka_identity_guard_new_for_pack (KaPack *pack)
{
  KaIdentityGuard *self;

  g_return_val_if_fail (KA_IS_PACK (pack), NULL);

  self = ka_identity_guard_new (ka_pack_get_identity_terms (pack));
  self->pack = g_object_ref (pack);
  return self;
}

/**
 * ka_identity_guard_get_builtin_terms:
 *
 * The built-in model, product and vendor names, English and Korean (OpenAI, GPT, ChatGPT,
 * 오픈AI, Claude, 클로드, Gemini, 구글, Llama, 라마, Qwen, 통의천문, DeepSeek, 딥시크,
 * HyperCLOVA, 네이버, Solar, 업스테이지, A.X, 에이닷, VARCO, 엔씨, EXAONE, 엑사원, …) and one
 * known vendor boilerplate sentence. Some are matched only in an AI context or in exact
 * case; see docs/pack-format.md. The self-description phrases ("… trained by") the guard
 * also looks for are not names and are not listed.
 *
 * Returns: (transfer none) (array zero-terminated=1): the terms; static
 */
const char * const *
ka_identity_guard_get_builtin_terms (void)
{
  static const char **terms = NULL;

  if (g_once_init_enter (&terms))
    {
      const char **list = g_new0 (const char *, G_N_ELEMENTS (builtin_terms) + 1);
      guint n = 0;

      for (guint i = 0; i < G_N_ELEMENTS (builtin_terms); i++)
        if (!(builtin_terms[i].flags & TERM_SELF))
          list[n++] = builtin_terms[i].text;
      g_once_init_leave (&terms, list);
    }
  return (const char * const *) terms;
}

/* ------------------------------------------------------------------------------------------ */

typedef struct
{
  char       *text;      /* normalised: normalise_for_matching() */
  char       *folded;    /* the same, ASCII lower case, same offsets */
  gsize       len;
} Subject;

/* @text is a model's Markdown: the guard reads what the renderer shows. */
static void
subject_init (Subject    *s,
              const char *text)
{
  g_autofree char *plain = ka_plain_text_from_markdown (text, -1);

  s->text = normalise_for_matching (plain);
  s->len = strlen (s->text);
  s->folded = g_ascii_strdown (s->text, (gssize) s->len);
}

static void
subject_clear (Subject *s)
{
  g_clear_pointer (&s->text, g_free);
  g_clear_pointer (&s->folded, g_free);
}

static gboolean
is_connector (char c)
{
  return c == '.' || c == '-' || c == '_' || c == '/' || c == '@' || c == '\\' || c == '#';
}

static gunichar
char_before (const Subject *s,
             gsize          offset)
{
  if (offset == 0)
    return 0;
  return g_utf8_get_char (g_utf8_prev_char (s->text + offset));
}

static gunichar
char_at (const Subject *s,
         gsize          offset)
{
  if (offset >= s->len)
    return 0;
  return g_utf8_get_char (s->text + offset);
}

static gboolean
has_folded_at (const Subject *s,
               gsize          offset,
               const char    *folded)
{
  gsize n = strlen (folded);

  return offset + n <= s->len && memcmp (s->folded + offset, folded, n) == 0;
}

static gboolean
has_folded_before (const Subject *s,
                   gsize          offset,
                   const char    *folded)
{
  gsize n = strlen (folded);

  return n <= offset && memcmp (s->folded + offset - n, folded, n) == 0;
}

static gboolean
hangul_suffix_ok (const Subject *s,
                  gsize          end)
{
  for (guint i = 0; i < G_N_ELEMENTS (hangul_suffixes); i++)
    {
      gsize n = strlen (hangul_suffixes[i]);

      if (end + n <= s->len && memcmp (s->text + end, hangul_suffixes[i], n) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Word boundaries. Latin: no ASCII letter or digit (or '_') on either side; a digit may
 * follow a name that ends in a letter ("GPT4", "Llama3"). Hangul: no Hangul before; after
 * it, nothing Hangul but a particle. For TERM_CONTEXT names also refuse parts of identifiers
 * and compounds ("com.google", "google.com", "meta-analysis"). */
static gboolean
boundaries_ok (const Term    *term,
               const Subject *s,
               gsize          start,
               gsize          end)
{
  switch (term->head)
    {
    case CLASS_LETTER:
    case CLASS_DIGIT:
      if (start > 0)
        {
          char b = s->text[start - 1];

          if (g_ascii_isalnum (b) || b == '_')
            return FALSE;
          if ((term->flags & TERM_CONTEXT) && is_connector (b) && start > 1 &&
              g_ascii_isalnum (s->text[start - 2]))
            return FALSE;
        }
      break;
    case CLASS_HANGUL:
      if (is_hangul (char_before (s, start)))
        return FALSE;
      break;
    case CLASS_OTHER:
    default:
      break;
    }

  switch (term->tail)
    {
    case CLASS_LETTER:
    case CLASS_DIGIT:
      if (end < s->len)
        {
          char b = s->text[end];

          /* A name ending in a letter may be followed by a digit ("GPT4"), not by a letter;
           * one ending in a digit may be followed by a letter ("GPT-4o"), not by a digit. */
          if (b == '_' ||
              (term->tail == CLASS_LETTER ? g_ascii_isalpha (b) : g_ascii_isdigit (b)))
            return FALSE;
          if ((term->flags & TERM_CONTEXT) && is_connector (b) && end + 1 < s->len &&
              g_ascii_isalpha (s->text[end + 1]))
            return FALSE;
        }
      break;
    case CLASS_HANGUL:
      if (is_hangul (char_at (s, end)) && !hangul_suffix_ok (s, end))
        return FALSE;
      break;
    case CLASS_OTHER:
    default:
      break;
    }

  return TRUE;
}

static gboolean
exclusions_ok (const Term    *term,
               const Subject *s,
               gsize          start,
               gsize          end)
{
  if (term->not_followed_by != NULL)
    for (guint i = 0; term->not_followed_by[i] != NULL; i++)
      if (has_folded_at (s, end, term->not_followed_by[i]))
        return FALSE;

  if (term->not_preceded_by != NULL)
    for (guint i = 0; term->not_preceded_by[i] != NULL; i++)
      if (has_folded_before (s, start, term->not_preceded_by[i]))
        return FALSE;

  if ((term->flags & TERM_PERSON) && end + 2 < s->len && s->text[end] == ' ' &&
      g_ascii_isupper (s->text[end + 1]) && g_ascii_isalpha (s->text[end + 2]))
    {
      gsize w = end + 1;
      g_autofree char *word = NULL;

      while (w < s->len && g_ascii_isalpha (s->text[w]))
        w++;
      word = g_strndup (s->text + end + 1, w - end - 1);
      if (!g_strv_contains (person_exceptions, word))
        return FALSE;
    }

  return TRUE;
}

static gboolean
is_sentence_end (const Subject *s,
                 gsize          i)
{
  char c = s->text[i];

  if (c == '\n')
    return TRUE;
  if ((c == '.' || c == '!' || c == '?') &&
      (i + 1 >= s->len || g_ascii_isspace (s->text[i + 1])))
    return TRUE;
  return i + 3 <= s->len && memcmp (s->text + i, "。", 3) == 0;
}

static gboolean
cue_at (const Subject *s,
        const Cue     *cue,
        gsize          at,
        gsize          limit)
{
  gsize n = strlen (cue->text);
  gsize end = at + n;

  if (end > limit)
    return FALSE;
  if (cue->match_case ? memcmp (s->text + at, cue->text, n) != 0 :
                        memcmp (s->folded + at, cue->text, n) != 0)
    return FALSE;
  if (!g_ascii_isalpha (cue->text[0]))
    return TRUE;   /* Korean cues: part of a word is fine ("언어모델") */
  if (at > 0 && (g_ascii_isalnum (s->text[at - 1]) || s->text[at - 1] == '_'))
    return FALSE;
  if (end < s->len && s->folded[end] == 's')
    end++;   /* plural */
  if (end < s->len && (g_ascii_isalnum (s->text[end]) || s->text[end] == '_'))
    return FALSE;
  return TRUE;
}

/* Is the sentence around [start, end) about AI? */
static gboolean
has_ai_context (const Subject *s,
                gsize          start,
                gsize          end)
{
  gsize from = start, to = end;

  while (from > 0 && start - from < CONTEXT_WINDOW && !is_sentence_end (s, from - 1))
    from--;
  while (to < s->len && to - end < CONTEXT_WINDOW && !is_sentence_end (s, to))
    to++;

  for (gsize i = from; i < to; i++)
    {
      for (guint c = 0; c < G_N_ELEMENTS (ai_cues); c++)
        {
          if (i >= start && i < end)
            continue;   /* the name itself ("Meta AI" is its own term) */
          if (cue_at (s, &ai_cues[c], i, to))
            return TRUE;
        }
    }
  return FALSE;
}

static gboolean
is_versioned (const Subject *s,
              gsize          end)
{
  if (end < s->len && (s->text[end] == ' ' || s->text[end] == '-'))
    end++;
  return end < s->len && g_ascii_isdigit (s->text[end]);
}

/* Self-identification (docs/pack-format.md, "Identity guard"). A name flags an answer only
 * where the answer speaks of itself with it:
 *
 * English: "I am" / "I'm" / "my name is" / "call me", then only words that can sit in a
 * self-description ("I am a large language model trained by OpenAI"), so that "I'm sure
 * that GPT-4 …" or "I am impressed by GPT-4" are not; "As a(n) …", "I was …", "I have been
 * …" likewise, with "by" or "from" among those words ("As an AI developed by Google"); "my
 * creators at …"; the name followed by "created me" / "trained me" / ….
 *
 * Korean: "저는" / "나는" / "제 이름은" / "제가" / "저를", at most three words, then the name
 * with a copula ("저는 Anthropic이 만든 Claude입니다") or with a particle and a verb of making
 * followed, in the same sentence, by a word for an AI ("저는 OpenAI에서 개발한 AI
 * 어시스턴트입니다"); the same without the pronoun at the start of a sentence ("OpenAI에서
 * 개발한 AI 언어 모델입니다").
 *
 * A signature: a line that is only the name (and its version), after a dash ("— Claude"),
 * with 드림/올림, or under a closing line ("Sincerely,"). */
static const char * const self_gap_words[] = {
  "a", "an", "the", "called", "named", "actually", "just", "only", "simply", "based", "on",
  "built", "powered", "by", "trained", "created", "developed", "made", "designed", "large",
  "language", "model", "ai", "assistant", "chatbot", "version", "of", "from", "helpful",
  "virtual", "conversational", "artificial", "intelligence", "researchers", "team", "engineers",
  "at", "engineered", "same", "underlying", "technology", "as", "both", "models", NULL,
};

typedef struct
{
  const char *text;
  gboolean    needs_by;   /* the words between must include "by" or "from" */
} SelfReference;

static const SelfReference self_references[] = {
  { "i am ", FALSE }, { "i'm ", FALSE }, { "my name is ", FALSE }, { "call me ", FALSE },
  { "i was ", TRUE }, { "i've been ", TRUE }, { "i have been ", TRUE }, { "as an ", TRUE },
  { "as a ", TRUE }, { "my creators at ", FALSE }, { "my creators, ", FALSE },
  { "my developers at ", FALSE }, { "my developers, ", FALSE }, { "i'm made by ", FALSE },
  { "we are ", TRUE }, { "we're ", TRUE }, { "i became ", FALSE }, { "i'm called ", FALSE },
  { "i am called ", FALSE }, { "you can call me ", FALSE },
};

/* With TERM_SELF also "As an AI language model trained by …". */
static const char * const self_description_starts[] = {
  "i am ", "i'm ", "as a ", "as an ",
};

static const char * const korean_self_references[] = {
  "저는 ", "나는 ", "제 이름은 ", "저의 이름은 ", "제가 ", "저를 ", "난 ",
};

static const char * const korean_copulas[] = {
  "입니다", "이에요", "예요", "이야", "야", "이며", "이고", "이다", "라고", "이라고", "라는",
  "이라는", "랍니다", "이랍니다", "입니당", "임", "이요",
};

static const char * const korean_makers[] = {
  "에서 ", "에서", "이 ", "가 ", "사가 ", "사에서 ", "에 의해 ", "에 의해서 ", "의 ", "팀이 ",
  "팀에서 ", "측에서 ", "사의 ", " ",
};

static const char * const korean_making[] = {
  "개발", "만든", "만들어", "만들었", "훈련", "학습시", "학습한", "제작", "설계", "출시",
};

static const char * const korean_ai_words[] = {
  "AI", "ai", "인공지능", "어시스턴트", "언어 모델", "언어모델", "챗봇", "비서", "assistant",
  "에이아이",
};

static const char * const english_made_me[] = {
  " created me", " trained me", " developed me", " built me", " made me", " designed me",
};

static const char * const closing_lines[] = {
  "sincerely,", "regards,", "best,", "cheers,", "yours,", "감사합니다,", "감사합니다.",
  "best wishes,", "warm regards,", "kind regards,", "thanks,",
};

static const char * const participles[] = {
  " trained ", " created ", " developed ", " built ", " made ", " designed ", " powered ",
};

static gboolean
participle_at (const Subject *s,
               gsize          at)
{
  for (guint i = 0; i < G_N_ELEMENTS (participles); i++)
    if (has_folded_at (s, at, participles[i]))
      return TRUE;
  return FALSE;
}

/* Counts the words in [from, to); G_MAXUINT when a sentence ends in between or, with
 * @allowed, when a word is not in @allowed. With @by (may be NULL), says whether "by" or
 * "from" was among them. */
static guint
count_gap_words (const Subject      *s,
                 gsize               from,
                 gsize               to,
                 const char * const *allowed,
                 gboolean           *by)
{
  guint words = 0;
  gsize k = from;
  char previous[16] = "";

  if (by != NULL)
    *by = FALSE;
  while (k < to)
    {
      gsize w;

      if (s->text[k] == ',' && allowed != NULL && participle_at (s, k + 1))
        {
          k++;   /* "I am a large language model, trained by Google" */
          continue;
        }
      if (is_sentence_end (s, k) || s->text[k] == ',')
        return G_MAXUINT;
      if (g_ascii_isspace (s->text[k]))
        {
          k++;
          continue;
        }
      w = k;
      while (w < to && !g_ascii_isspace (s->text[w]) && !is_sentence_end (s, w) &&
             s->text[w] != ',')
        w++;
      if (allowed != NULL || by != NULL)
        {
          g_autofree char *word = g_strndup (s->folded + k, w - k);

          if (allowed != NULL && !g_strv_contains (allowed, word))
            return G_MAXUINT;
          /* "researchers at", "the team at", not "I am at Google" */
          if (allowed != NULL && g_str_equal (word, "at") &&
              !(g_str_equal (previous, "researchers") || g_str_equal (previous, "engineers") ||
                g_str_equal (previous, "team")))
            return G_MAXUINT;
          g_strlcpy (previous, word, sizeof previous);
          if (by != NULL && (g_str_equal (word, "by") || g_str_equal (word, "from")))
            *by = TRUE;
        }
      words++;
      k = w;
    }
  return words;
}

/* Past a version after a name ("GPT-4o입니다", "Claude 3.5입니다", "하이퍼클로바X입니다") and,
 * with @words, a capitalised product word ("Claude 3.5 Sonnet입니다"): up to three such
 * tokens. */
static gsize
skip_version (const Subject *s,
              gsize          end,
              gboolean       words)
{
  for (guint tokens = 0; tokens < 3; tokens++)
    {
      gsize k = end;

      if (k < s->len && (s->text[k] == ' ' || s->text[k] == '-'))
        k++;
      if (k >= s->len)
        break;
      if (g_ascii_isdigit (s->text[k]) ||
          ((s->text[k] == 'v' || s->text[k] == 'V') && k + 1 < s->len &&
           g_ascii_isdigit (s->text[k + 1])))
        {
          while (k < s->len && (g_ascii_isalnum (s->text[k]) || s->text[k] == '.') &&
                 !(s->text[k] == '.' && (k + 1 >= s->len || !g_ascii_isdigit (s->text[k + 1]))))
            k++;
        }
      else if (g_ascii_isupper (s->text[k]) && (k + 1 >= s->len || !g_ascii_isalpha (s->text[k + 1])))
        k++;   /* "HyperCLOVA X" */
      else if (words && g_ascii_isupper (s->text[k]))
        {
          while (k < s->len && g_ascii_isalpha (s->text[k]))
            k++;
        }
      else
        break;
      end = k;
    }
  return end;
}

static gboolean
followed_by_copula (const Subject *s,
                    gsize          end)
{
  end = skip_version (s, end, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (korean_copulas); i++)
    if (end + strlen (korean_copulas[i]) <= s->len &&
        memcmp (s->text + end, korean_copulas[i], strlen (korean_copulas[i])) == 0)
      return TRUE;
  return FALSE;
}

static gsize
sentence_end_after (const Subject *s,
                    gsize          from)
{
  while (from < s->len && !is_sentence_end (s, from))
    from++;
  return from;
}

static gsize
sentence_start_before (const Subject *s,
                       gsize          from)
{
  while (from > 0 && !is_sentence_end (s, from - 1))
    from--;
  return from;
}

/* "… 에서 개발한 AI 어시스턴트" after a name: a maker particle, a verb of making, and then a
 * word for an AI before the sentence ends. */
static gboolean
followed_by_making (const Subject *s,
                    gsize          end)
{
  end = skip_version (s, end, FALSE);
  for (guint m = 0; m < G_N_ELEMENTS (korean_makers); m++)
    {
      gsize at = end + strlen (korean_makers[m]);

      if (at > s->len || memcmp (s->text + end, korean_makers[m], strlen (korean_makers[m])) != 0)
        continue;
      for (guint v = 0; v < G_N_ELEMENTS (korean_making); v++)
        if (at + strlen (korean_making[v]) <= s->len &&
            memcmp (s->text + at, korean_making[v], strlen (korean_making[v])) == 0)
          {
            gsize stop = sentence_end_after (s, at);

            for (guint w = 0; w < G_N_ELEMENTS (korean_ai_words); w++)
              {
                g_autofree char *sentence = g_strndup (s->text + at, stop - at);

                if (strstr (sentence, korean_ai_words[w]) != NULL)
                  return TRUE;
              }
          }
    }
  return FALSE;
}

static gboolean
followed_by_made_me (const Subject *s,
                     gsize          end)
{
  end = skip_version (s, end, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (english_made_me); i++)
    {
      gsize n = strlen (english_made_me[i]);

      if (has_folded_at (s, end, english_made_me[i]) &&
          (end + n >= s->len || !g_ascii_isalpha (s->text[end + n])))
        return TRUE;
    }
  return FALSE;
}

/* A line that is only the name, signed: "— Claude", "-- ChatGPT", "Claude 드림", or under
 * "Sincerely,". */
static gboolean
is_signature (const Subject *s,
              gsize          start,
              gsize          end)
{
  gsize ls = start, le = end;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gboolean dash = FALSE, signed_off = FALSE;
  const char *p;

  while (ls > 0 && s->text[ls - 1] != '\n')
    ls--;
  while (le < s->len && s->text[le] != '\n')
    le++;
  before = g_strstrip (g_strndup (s->text + ls, start - ls));
  after = g_strstrip (g_strndup (s->text + end, le - end));

  if (before[0] != '\0')
    {
      if (g_str_equal (before, "—") || g_str_equal (before, "–") || g_str_equal (before, "--") ||
          g_str_equal (before, "―") || g_str_equal (before, "~") || g_str_equal (before, "-"))
        dash = TRUE;
      else
        return FALSE;
    }

  /* After the name: a version, "(…)", 드림 / 올림 / 씀, nothing else. */
  p = after;
  while (*p != '\0' && (g_ascii_isalnum (*p) || strchr (" .-()", *p) != NULL))
    p++;
  if (*p != '\0')
    {
      if (g_str_equal (p, "드림") || g_str_equal (p, "올림") || g_str_equal (p, "씀") ||
          g_str_equal (p, "드림.") || g_str_equal (p, "올림."))
        signed_off = TRUE;
      else
        return FALSE;
    }
  if (dash || signed_off)
    return TRUE;

  /* A closing line just above. */
  if (ls >= 2)
    {
      gsize pe = ls - 1, ps = pe;
      g_autofree char *prev = NULL;

      while (ps > 0 && s->folded[ps - 1] != '\n')
        ps--;
      prev = g_strstrip (g_strndup (s->folded + ps, pe - ps));
      for (guint i = 0; i < G_N_ELEMENTS (closing_lines); i++)
        if (g_str_has_suffix (prev, closing_lines[i]))
          return TRUE;
    }
  return FALSE;
}

static gboolean
is_self_reference (const Subject *s,
                   gsize          start,
                   gsize          end)
{
  gsize from = start > SELF_WINDOW ? start - SELF_WINDOW : 0;
  gsize sentence = sentence_start_before (s, start);

  for (gsize i = MAX (from, sentence); i < start; i++)
    {
      if (i > 0 && g_ascii_isalnum (s->text[i - 1]))
        continue;
      for (guint r = 0; r < G_N_ELEMENTS (self_references); r++)
        {
          gsize gap = i + strlen (self_references[r].text);
          gboolean by = FALSE;

          if (gap <= start && has_folded_at (s, i, self_references[r].text) &&
              count_gap_words (s, gap, start, self_gap_words, &by) <= SELF_MAX_WORDS &&
              (by || !self_references[r].needs_by))
            return TRUE;
        }
      for (guint r = 0; r < G_N_ELEMENTS (korean_self_references); r++)
        {
          gsize gap = i + strlen (korean_self_references[r]);

          if (gap <= start && has_folded_at (s, i, korean_self_references[r]) &&
              count_gap_words (s, gap, start, NULL, NULL) <= 3 &&
              (followed_by_copula (s, end) || followed_by_making (s, end)))
            return TRUE;
        }
    }

  /* Sentence-initial "OpenAI에서 개발한 AI 언어 모델입니다". */
  if (sentence == start && followed_by_making (s, end))
    {
      gsize stop = sentence_end_after (s, end);
      g_autofree char *rest = g_strndup (s->text + end, stop - end);

      if (strstr (rest, "입니다") != NULL || strstr (rest, "이에요") != NULL ||
          strstr (rest, "예요") != NULL)
        return TRUE;
    }

  return followed_by_made_me (s, end) || is_signature (s, start, end);
}

static gboolean
is_self_description (const Subject *s,
                     gsize          start)
{
  gsize from = start > SELF_WINDOW ? start - SELF_WINDOW : 0;

  for (gsize i = from; i < start; i++)
    for (guint r = 0; r < G_N_ELEMENTS (self_description_starts); r++)
      {
        gsize gap = i + strlen (self_description_starts[r]);

        if (gap <= start && (i == 0 || !g_ascii_isalnum (s->text[i - 1])) &&
            has_folded_at (s, i, self_description_starts[r]) &&
            count_gap_words (s, gap, start, self_gap_words, NULL) <= SELF_MAX_WORDS)
          return TRUE;
      }
  return FALSE;
}

typedef enum
{
  FIND_MENTION,   /* any occurrence, AI context or not (in a prompt; candidates) */
  FIND_TOPIC,     /* a mention as the guard before issue 10 flagged it: strong names
                   * anywhere, everyday words in an AI context */
  FIND_SELF,      /* a self-identification: the name in first-person, signature or
                   * developer context */
} FindMode;

/* Where the term found at @start (its first part is there, ASCII case ignored) ends, its
 * parts separated by at most MAX_SEPARATORS spaces, tabs, hyphens, dots or underscores;
 * 0 when it is not there (in exact case for TERM_CASE). */
static gsize
term_end (const Term    *term,
          const Subject *s,
          gsize          start)
{
  gsize at = start;

  for (guint i = 0; term->parts[i] != NULL; i++)
    {
      gsize n = strlen (term->parts[i]);

      if (i > 0)
        {
          guint skipped = 0;

          while (at < s->len && skipped < MAX_SEPARATORS && strchr (" \t-._", s->text[at]) != NULL)
            {
              at++;
              skipped++;
            }
        }
      if (at + n > s->len)
        return 0;
      if ((term->flags & TERM_CASE) ? memcmp (s->text + at, term->parts[i], n) != 0 :
                                      memcmp (s->folded + at, term->folded_parts[i], n) != 0)
        return 0;
      at += n;
    }
  return at;
}

static gboolean
term_matches_at (const Term    *term,
                 const Subject *s,
                 gsize          start,
                 FindMode       mode)
{
  gsize end = term_end (term, s, start);

  if (end == 0)
    return FALSE;
  if (!boundaries_ok (term, s, start, end) || !exclusions_ok (term, s, start, end))
    return FALSE;
  if (mode == FIND_MENTION)
    return TRUE;
  if (term->flags & TERM_SELF)
    return is_self_description (s, start);
  if (term->flags & TERM_FINGERPRINT)
    return TRUE;
  if (mode == FIND_SELF)
    return is_self_reference (s, start, end);
  if (term->flags & TERM_CONTEXT)
    {
      if ((term->flags & TERM_VERSIONED) && is_versioned (s, end))
        return TRUE;
      return has_ai_context (s, start, end) || is_self_reference (s, start, end);
    }
  return TRUE;
}

static gboolean
term_found (const Term    *term,
            const Subject *s,
            FindMode       mode)
{
  const char *hay = s->folded;
  gsize pos = 0;

  while (pos + term->len <= s->len)
    {
      const char *hit = strstr (hay + pos, term->folded_parts[0]);
      gsize start;

      if (hit == NULL)
        return FALSE;
      start = (gsize) (hit - hay);
      if (term_matches_at (term, s, start, mode))
        return TRUE;
      pos = start + 1;
    }
  return FALSE;
}

/* The names of @model_id's own model (TERM_OWN terms, see ka_identity_terms_model_names())
 * and, for the self-identification rule, its family's names and ID parts. Cached. */
typedef struct
{
  GPtrArray *own;       /* Term*: names that flag anywhere in this model's answers */
  GPtrArray *family;    /* Term*: names that flag in self-identification */
} ModelTerms;

static void
model_terms_free (gpointer data)
{
  ModelTerms *mt = data;

  g_ptr_array_unref (mt->own);
  g_ptr_array_unref (mt->family);
  g_free (mt);
}

static gboolean
has_term (GPtrArray  *terms,
          const char *text)
{
  g_autofree char *normal = normalise_for_matching (text);
  g_autofree char *folded = g_ascii_strdown (normal, -1);

  for (guint j = 0; j < terms->len; j++)
    {
      const Term *term = g_ptr_array_index (terms, j);

      if (g_str_equal (term->folded, folded))
        return TRUE;
    }
  return FALSE;
}

static void
add_model_terms (KaIdentityGuard *self,
                 ModelTerms      *mt,
                 const char      *name)
{
  g_auto(GStrv) own = ka_identity_terms_model_names (name);
  g_auto(GStrv) family = ka_identity_terms_for_model (name);
  g_auto(GStrv) parts = ka_identity_terms_model_parts (name);

  for (guint i = 0; own[i] != NULL; i++)
    if (!has_term (mt->own, own[i]))
      {
        Term *term = term_new (own[i], TERM_OWN, NULL, NULL);

        if (term != NULL)
          g_ptr_array_add (mt->own, term);
      }
  for (guint pass = 0; pass < 2; pass++)
    {
      char **list = pass == 0 ? family : parts;

      for (guint i = 0; list[i] != NULL; i++)
        if (!has_term (self->terms, list[i]) && !has_term (mt->family, list[i]))
          {
            Term *term = term_new (list[i], TERM_STRONG, NULL, NULL);

            if (term != NULL)
              g_ptr_array_add (mt->family, term);
          }
    }
}

static const ModelTerms *
lookup_model_terms (KaIdentityGuard *self,
                    const char      *model_id)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->echo_lock);
  ModelTerms *mt = g_hash_table_lookup (self->models, model_id);
  const KaPackModel *model;

  if (mt != NULL)
    return mt;

  mt = g_new0 (ModelTerms, 1);
  mt->own = g_ptr_array_new_with_free_func (term_free);
  mt->family = g_ptr_array_new_with_free_func (term_free);
  add_model_terms (self, mt, model_id);
  model = self->pack != NULL ? ka_pack_lookup_model (self->pack, model_id) : NULL;
  if (model != NULL && model->display_name != NULL)
    add_model_terms (self, mt, model->display_name);
  if (model != NULL && model->organisation != NULL &&
      !has_term (self->terms, model->organisation) && !has_term (mt->family, model->organisation))
    g_ptr_array_add (mt->family, term_new (model->organisation, TERM_STRONG, NULL, NULL));
  g_hash_table_insert (self->models, g_strdup (model_id), mt);
  return mt;
}

/* Returns the first term found in @s, or NULL: a self-identification with any term, or a
 * mention of @model_id's own model (may be NULL) that @prompt (may be NULL) does not use. */
static const Term *
scan_subject (KaIdentityGuard    *self,
              const Subject      *s,
              const char         *model_id,
              const KaPackPrompt *prompt)
{
  const ModelTerms *mt = model_id != NULL ? lookup_model_terms (self, model_id) : NULL;

  for (guint i = 0; i < self->terms->len; i++)
    {
      const Term *term = g_ptr_array_index (self->terms, i);

      if (term_found (term, s, FIND_SELF))
        return term;
    }
  if (mt == NULL)
    return NULL;
  for (guint i = 0; i < mt->family->len; i++)
    {
      const Term *term = g_ptr_array_index (mt->family, i);

      if (term_found (term, s, FIND_SELF))
        return term;
    }
  for (guint i = 0; i < mt->own->len; i++)
    {
      const Term *term = g_ptr_array_index (mt->own, i);
      gboolean echoed = FALSE;

      if (!term_found (term, s, FIND_TOPIC))
        continue;
      /* The prompt brought the name in (MT-bench 98 asks about GPT-4). */
      for (guint t = 0; prompt != NULL && t < prompt->n_turns && !echoed; t++)
        {
          Subject ps;

          subject_init (&ps, prompt->turns[t]);
          echoed = term_found (term, &ps, FIND_MENTION);
          subject_clear (&ps);
        }
      if (!echoed)
        return term;
    }
  return NULL;
}

/**
 * ka_identity_guard_scan:
 * @self: a #KaIdentityGuard
 * @text: a model's answer (Markdown), e.g. one turn of a response
 * @matched_term: (out) (optional) (nullable) (transfer full): the term found, as listed
 *
 * Looks for a self-identification in @text: a model or vendor name in first-person,
 * signature or developer context ("저는 Claude입니다", "I am an AI assistant created by
 * Anthropic", "As an AI developed by Google", "— Claude"). A topical mention ("Gson은
 * Google에서 개발한 라이브러리", "BERT와 GPT") is not one. @text is read as a citizen reads
 * it: rendered to plain text (ka_plain_text_from_markdown()) and folded (ka_text_fold():
 * NFKC, jamo composed, invisible characters, combining marks and separators between single
 * letters removed, look-alike letters mapped). Names match ignoring ASCII case unless
 * exact-case, on word boundaries; Korean names may take a particle. The rules, their
 * limits and the measured precision and recall are in docs/pack-format.md.
 *
 * Returns: %TRUE when @text identifies its model
 */
gboolean
ka_identity_guard_scan (KaIdentityGuard  *self,
                        const char       *text,
                        char            **matched_term)
{
  return ka_identity_guard_scan_for_model (self, text, NULL, NULL, matched_term);
}

/**
 * ka_identity_guard_scan_for_model:
 * @self: a #KaIdentityGuard
 * @text: an answer (Markdown) written by @model_id
 * @model_id: (nullable): the model that wrote @text, if known
 * @prompt: (nullable): the prompt @text answers, if known: a name of the model's own that
 *   the prompt uses counts only in a self-identification
 * @matched_term: (out) (optional) (nullable) (transfer full): the term found
 *
 * As ka_identity_guard_scan(), and with @model_id also: its family's names, its ID's
 * meaningful parts and (in a pack guard) its display name and organisation count in
 * self-identification, and a name that singles out the model itself with its version
 * ("GPT-4o" in gpt-4o-2024-11-20's answer, "Claude 3.5" in claude-3.5-sonnet's) flags
 * wherever it appears: a model that names itself reveals itself.
 *
 * Returns: %TRUE when @text identifies its model
 */
gboolean
ka_identity_guard_scan_for_model (KaIdentityGuard    *self,
                                  const char         *text,
                                  const char         *model_id,
                                  const KaPackPrompt *prompt,
                                  char              **matched_term)
{
  Subject s;
  const Term *term;

  g_return_val_if_fail (KA_IS_IDENTITY_GUARD (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (matched_term != NULL)
    *matched_term = NULL;

  subject_init (&s, text);
  term = scan_subject (self, &s, model_id, prompt);
  subject_clear (&s);

  if (term != NULL && matched_term != NULL)
    *matched_term = g_strdup (term->text);
  return term != NULL;
}

/**
 * ka_identity_guard_mentions:
 * @self: a #KaIdentityGuard
 * @text: Markdown or plain text
 * @matched_term: (out) (optional) (nullable) (transfer full): the first term found
 *
 * Whether @text mentions any of the guard's names at all, in any context (word
 * boundaries and the collision exclusions still apply). For finding candidates to label
 * and for reports; a mention alone does not hide an answer.
 *
 * Returns: %TRUE when a name occurs in @text
 */
gboolean
ka_identity_guard_mentions (KaIdentityGuard  *self,
                            const char       *text,
                            char            **matched_term)
{
  Subject s;
  const Term *found = NULL;

  g_return_val_if_fail (KA_IS_IDENTITY_GUARD (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (matched_term != NULL)
    *matched_term = NULL;
  subject_init (&s, text);
  for (guint i = 0; i < self->terms->len && found == NULL; i++)
    {
      const Term *term = g_ptr_array_index (self->terms, i);

      if (!(term->flags & (TERM_SELF | TERM_FINGERPRINT)) && term_found (term, &s, FIND_MENTION))
        found = term;
    }
  subject_clear (&s);
  if (found != NULL && matched_term != NULL)
    *matched_term = g_strdup (found->text);
  return found != NULL;
}

/**
 * ka_identity_guard_check_response:
 * @self: a #KaIdentityGuard
 * @response: a response, normally of the guard's pack
 * @matched_term: (out) (optional) (nullable) (transfer full): the term found, as listed
 *
 * Scans every turn of @response with ka_identity_guard_scan_for_model() and the
 * response's model (none in a sealed pack). When the guard was made with
 * ka_identity_guard_new_for_pack() and @response belongs to that pack, a name of the
 * model's own that the prompt itself uses counts only in a self-identification: the
 * prompt, not the model, brought the name in.
 *
 * Returns: %TRUE when the response is flagged and must not be scheduled
 */
gboolean
ka_identity_guard_check_response (KaIdentityGuard      *self,
                                  const KaPackResponse *response,
                                  char                **matched_term)
{
  const KaPackPrompt *prompt = NULL;
  const Term *term = NULL;

  g_return_val_if_fail (KA_IS_IDENTITY_GUARD (self), FALSE);
  g_return_val_if_fail (response != NULL, FALSE);

  if (matched_term != NULL)
    *matched_term = NULL;

  /* Only a response of the guard's own pack has a prompt the guard can see. */
  if (self->pack != NULL && response->response_id != NULL && response->prompt_id != NULL &&
      ka_pack_lookup_response (self->pack, response->response_id) == response)
    {
      prompt = ka_pack_lookup_prompt (self->pack, response->prompt_id);
      if (self->pack_flags != NULL)
        {
          const char *stored = g_hash_table_lookup (self->pack_flags, response->response_id);

          if (stored != NULL && matched_term != NULL)
            *matched_term = g_strdup (stored);
          return stored != NULL;
        }
    }

  for (guint t = 0; t < response->n_turns && term == NULL; t++)
    {
      Subject s;

      subject_init (&s, response->turns[t]);
      term = scan_subject (self, &s, response->model_id, prompt);
      subject_clear (&s);
    }

  if (term != NULL && matched_term != NULL)
    *matched_term = g_strdup (term->text);
  return term != NULL;
}

/**
 * ka_identity_guard_get_unknown_models:
 * @self: a #KaIdentityGuard made with ka_identity_guard_new_for_pack()
 *
 * The pack's models whose family the alias table does not know
 * (ka_identity_terms_known_model() on the ID and the display name): the guard has only
 * their ID's parts and organisation to look for, so their self-identifications may pass.
 *
 * Returns: (transfer full) (array zero-terminated=1): model IDs; empty for a sealed pack
 */
char **
ka_identity_guard_get_unknown_models (KaIdentityGuard *self)
{
  GPtrArray *ids = g_ptr_array_new ();

  g_return_val_if_fail (KA_IS_IDENTITY_GUARD (self), NULL);

  for (guint i = 0; self->pack != NULL && i < ka_pack_get_n_models (self->pack); i++)
    {
      const KaPackModel *model = ka_pack_get_model (self->pack, i);

      if (!ka_identity_terms_known_model (model->model_id) &&
          (model->display_name == NULL || !ka_identity_terms_known_model (model->display_name)))
        g_ptr_array_add (ids, g_strdup (model->model_id));
    }
  g_ptr_array_add (ids, NULL);
  return (char **) g_ptr_array_free (ids, FALSE);
}

/* Bump when a rule changes in a way the terms do not show, so that stored verdicts
 * (ka_identity_guard_use_store()) are made again. */
#define RULES_VERSION "ka-identity-rules/2"

/**
 * ka_identity_guard_get_version:
 * @self: a #KaIdentityGuard
 *
 * A fingerprint of what the guard looks for and how: the hex SHA-256 of the rules' version
 * and every term with its matching flags, the built-in ones, the pack's and each pack
 * model's (its family's names from the alias table, its ID's parts, its own names). Two
 * guards with the same version give the same verdicts on the same pack; a change to the
 * alias table, the built-in names or the rules changes it.
 *
 * Returns: (transfer none): 64 lower-case hex digits, valid as long as @self
 */
const char *
ka_identity_guard_get_version (KaIdentityGuard *self)
{
  g_autoptr(GChecksum) sum = NULL;

  g_return_val_if_fail (KA_IS_IDENTITY_GUARD (self), NULL);

  if (self->version != NULL)
    return self->version;

  sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, (const guchar *) RULES_VERSION, -1);
  for (guint i = 0; i < self->terms->len; i++)
    {
      const Term *term = g_ptr_array_index (self->terms, i);
      g_autofree char *entry = g_strdup_printf ("\x1e%s\x1f%u", term->text, term->flags);

      g_checksum_update (sum, (const guchar *) entry, -1);
    }
  for (guint m = 0; self->pack != NULL && m < ka_pack_get_n_models (self->pack); m++)
    {
      const KaPackModel *model = ka_pack_get_model (self->pack, m);
      const ModelTerms *mt = lookup_model_terms (self, model->model_id);

      g_checksum_update (sum, (const guchar *) "\x1d", 1);
      g_checksum_update (sum, (const guchar *) model->model_id, -1);
      for (guint pass = 0; pass < 2; pass++)
        {
          GPtrArray *list = pass == 0 ? mt->own : mt->family;

          for (guint i = 0; i < list->len; i++)
            {
              const Term *term = g_ptr_array_index (list, i);
              g_autofree char *entry = g_strdup_printf ("\x1e%s\x1f%u", term->text, term->flags);

              g_checksum_update (sum, (const guchar *) entry, -1);
            }
        }
    }
  self->version = g_strdup (g_checksum_get_string (sum));
  return self->version;
}

/**
 * ka_identity_guard_scan_pack:
 * @self: a #KaIdentityGuard made with ka_identity_guard_new_for_pack()
 *
 * Checks every response of the guard's pack (ka_identity_guard_check_response()): the
 * costly part of start-up on a large pack (seconds), which
 * ka_identity_guard_use_store() does once per pack and guard version.
 *
 * Returns: (transfer full): response ID → matched term of every flagged response
 */
GHashTable *
ka_identity_guard_scan_pack (KaIdentityGuard *self)
{
  GHashTable *flags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTable *stored;

  g_return_val_if_fail (KA_IS_IDENTITY_GUARD (self), flags);

  stored = g_steal_pointer (&self->pack_flags);   /* scan, do not look up */
  for (guint i = 0; self->pack != NULL && i < ka_pack_get_n_responses (self->pack); i++)
    {
      const KaPackResponse *r = ka_pack_get_response (self->pack, i);
      char *term = NULL;

      if (ka_identity_guard_check_response (self, r, &term))
        g_hash_table_insert (flags, g_strdup (r->response_id), term);
    }
  self->pack_flags = stored;
  return flags;
}

/**
 * ka_identity_guard_set_pack_flags:
 * @self: a #KaIdentityGuard made with ka_identity_guard_new_for_pack()
 * @flags: (nullable): response ID → term, as ka_identity_guard_scan_pack() returns for a
 *   guard of the same version; %NULL to scan again
 *
 * From now on ka_identity_guard_check_response() answers for the responses of the guard's
 * pack from @flags (a response not in it is not flagged) instead of scanning them. The
 * guard keeps a reference to @flags.
 */
void
ka_identity_guard_set_pack_flags (KaIdentityGuard *self,
                                  GHashTable      *flags)
{
  g_return_if_fail (KA_IS_IDENTITY_GUARD (self));

  g_clear_pointer (&self->pack_flags, g_hash_table_unref);
  if (flags != NULL)
    self->pack_flags = g_hash_table_ref (flags);
}

/**
 * ka_identity_guard_use_store:
 * @self: a #KaIdentityGuard made with ka_identity_guard_new_for_pack()
 * @store: the store the pack was imported into
 * @from_store: (out) (optional): whether the verdicts came from @store
 * @error: return location for a #GError
 *
 * Reads the verdicts on the guard's pack that @store keeps for this guard version
 * (ka_store_load_identity_flags()); when there are none, scans the pack
 * (ka_identity_guard_scan_pack()) and stores the result, unless @store is read-only. Then
 * ka_identity_guard_set_pack_flags().
 *
 * Returns: %TRUE on success; %FALSE with the store's error when it cannot be read or
 *   written (the guard then scans as usual)
 */
gboolean
ka_identity_guard_use_store (KaIdentityGuard  *self,
                             KaStore          *store,
                             gboolean         *from_store,
                             GError          **error)
{
  g_autoptr(GHashTable) flags = NULL;
  const char *hash;
  const char *version;

  g_return_val_if_fail (KA_IS_IDENTITY_GUARD (self), FALSE);
  g_return_val_if_fail (KA_IS_STORE (store), FALSE);
  g_return_val_if_fail (self->pack != NULL, FALSE);

  if (from_store != NULL)
    *from_store = FALSE;
  hash = ka_pack_get_content_hash (self->pack);
  version = ka_identity_guard_get_version (self);
  if (!ka_store_load_identity_flags (store, hash, version, &flags, error))
    return FALSE;
  if (flags != NULL)
    {
      if (from_store != NULL)
        *from_store = TRUE;
      ka_identity_guard_set_pack_flags (self, flags);
      return TRUE;
    }

  flags = ka_identity_guard_scan_pack (self);
  ka_identity_guard_set_pack_flags (self, flags);
  if (ka_store_is_read_only (store))
    return TRUE;
  return ka_store_save_identity_flags (store, hash, version, flags, error);
}
