/* ka-identity-v1.c: the identity guard as it was before issue 10, kept only so that
 * bench-identity can measure the old and the new guard in the same process. Not built into
 * the product; do not fix or extend it.
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-identity"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ka-identity-v1.h"

/* How a term matches (docs/pack-format.md, "Identity guard"). */
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
  { "If you believe this is an error, please send us your feedback", TERM_STRONG, NULL, NULL },
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

/* Words before a term that make it a self-description even when the prompt names it. */
static const char * const self_references[] = { "i am ", "i'm ", "my name is " };

/* With TERM_SELF also "As an AI language model trained by …". */
static const char * const self_description_starts[] = {
  "i am ", "i'm ", "as a ", "as an ",
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

/* Unicode Default_Ignorable_Code_Point (DerivedCoreProperties.txt): invisible, so a name
 * with one inside ("Cl\u00ADaude", "Anthr\u200Dopic") still reads as the name. */
static gboolean
is_default_ignorable (gunichar c)
{
  return c == 0x00AD || c == 0x034F || c == 0x061C || c == 0x115F || c == 0x1160 ||
         c == 0x17B4 || c == 0x17B5 || (c >= 0x180B && c <= 0x180F) ||
         (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2060 && c <= 0x206F) || c == 0x3164 || (c >= 0xFE00 && c <= 0xFE0F) ||
         c == 0xFEFF || c == 0xFFA0 || (c >= 0xFFF0 && c <= 0xFFF8) ||
         (c >= 0x1BCA0 && c <= 0x1BCA3) || (c >= 0x1D173 && c <= 0x1D17A) ||
         (c >= 0xE0000 && c <= 0xE0FFF);
}

/* Cyrillic and Greek letters that look like Latin ones (after Unicode's confusables.txt),
 * used only for matching, and only in a word whose Cyrillic/Greek letters all look Latin
 * ("GрT", "OpenАI"): a real Russian or Greek word keeps its letters. */
static const struct
{
  gunichar from;
  char     to;
} confusables[] = {
  /* Cyrillic */
  { 0x0430, 'a' }, { 0x0435, 'e' }, { 0x043E, 'o' }, { 0x0440, 'p' }, { 0x0441, 'c' },
  { 0x0443, 'y' }, { 0x0445, 'x' }, { 0x0456, 'i' }, { 0x0458, 'j' }, { 0x0455, 's' },
  { 0x043A, 'k' }, { 0x043C, 'm' }, { 0x043D, 'h' }, { 0x0442, 't' }, { 0x0432, 'b' },
  { 0x04BB, 'h' }, { 0x0501, 'd' }, { 0x051B, 'q' }, { 0x051D, 'w' }, { 0x04CF, 'l' },
  { 0x04AF, 'y' },
  { 0x0410, 'A' }, { 0x0412, 'B' }, { 0x0415, 'E' }, { 0x041A, 'K' }, { 0x041C, 'M' },
  { 0x041D, 'H' }, { 0x041E, 'O' }, { 0x0420, 'P' }, { 0x0421, 'C' }, { 0x0422, 'T' },
  { 0x0425, 'X' }, { 0x0406, 'I' }, { 0x0408, 'J' }, { 0x0405, 'S' }, { 0x0423, 'Y' },
  { 0x04AE, 'Y' }, { 0x04C0, 'I' }, { 0x051A, 'Q' }, { 0x051C, 'W' },
  /* Greek */
  { 0x0391, 'A' }, { 0x0392, 'B' }, { 0x0395, 'E' }, { 0x0396, 'Z' }, { 0x0397, 'H' },
  { 0x0399, 'I' }, { 0x039A, 'K' }, { 0x039C, 'M' }, { 0x039D, 'N' }, { 0x039F, 'O' },
  { 0x03A1, 'P' }, { 0x03A4, 'T' }, { 0x03A5, 'Y' }, { 0x03A7, 'X' },
  { 0x03BF, 'o' }, { 0x03BD, 'v' }, { 0x03B1, 'a' }, { 0x03B9, 'i' }, { 0x03BA, 'k' },
  { 0x03C1, 'p' }, { 0x03C5, 'u' }, { 0x03C7, 'x' }, { 0x03F2, 'c' }, { 0x03F3, 'j' },
};

static gboolean
is_cyrillic_or_greek (gunichar c)
{
  return (c >= 0x0370 && c <= 0x052F) || (c >= 0x1F00 && c <= 0x1FFF);
}

static char
confusable_to_latin (gunichar c)
{
  for (guint i = 0; i < G_N_ELEMENTS (confusables); i++)
    if (confusables[i].from == c)
      return confusables[i].to;
  return '\0';
}

static gboolean
is_word_char (gunichar c)
{
  return g_unichar_isalnum (c) || g_unichar_ismark (c);
}

/* The text the guard matches in: NFKC (full-width "ＯｐｅｎＡＩ" is "OpenAI"), without
 * default-ignorable characters, with U+2010/U+2011 hyphens as '-' and Latin look-alikes as
 * Latin letters. "™" and "℠" become a space first, so that "ChatGPT™" keeps its word end
 * (NFKC would make it "ChatGPTTM"). The result is only matched, never shown: positions in it
 * are not positions in @text. Returns a new string. */
static char *
normalise_for_matching (const char *text)
{
  g_autofree char *valid = NULL;
  g_autofree char *nfkc = NULL;
  g_autofree gunichar *chars = NULL;
  g_autoptr(GString) pre = NULL;
  const char *p;
  glong n = 0, k = 0;

  for (p = text; *p != '\0' && (guchar) *p < 0x80; p++)
    ;
  if (*p == '\0')
    return g_strdup (text);   /* ASCII: nothing to do */

  valid = g_utf8_make_valid (text, -1);
  pre = g_string_sized_new (strlen (valid));
  for (p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == 0x2122 || c == 0x2120)
        g_string_append_c (pre, ' ');
      else
        g_string_append_len (pre, p, g_utf8_next_char (p) - p);
    }
  nfkc = g_utf8_normalize (pre->str, (gssize) pre->len, G_NORMALIZE_NFKC);
  if (nfkc == NULL)
    return g_strdup (valid);

  chars = g_utf8_to_ucs4_fast (nfkc, -1, &n);
  for (glong i = 0; i < n; i++)
    {
      gunichar c = chars[i];

      if (is_default_ignorable (c))
        continue;
      if (c == 0x2010 || c == 0x2011)
        c = '-';
      chars[k++] = c;
    }
  n = k;

  for (glong i = 0; i < n;)
    {
      glong end = i;
      gboolean foreign = FALSE, all_confusable = TRUE;

      if (!is_word_char (chars[i]))
        {
          i++;
          continue;
        }
      while (end < n && is_word_char (chars[end]))
        {
          if (is_cyrillic_or_greek (chars[end]))
            {
              foreign = TRUE;
              if (confusable_to_latin (chars[end]) == '\0')
                all_confusable = FALSE;
            }
          end++;
        }
      if (foreign && all_confusable)
        for (glong j = i; j < end; j++)
          if (is_cyrillic_or_greek (chars[j]))
            chars[j] = (gunichar) confusable_to_latin (chars[j]);
      i = end;
    }

  return g_ucs4_to_utf8 (chars, n, NULL, NULL, NULL);
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

struct _KaIdentityV1Guard
{
  GObject    parent_instance;

  GPtrArray  *terms;    /* Term*, built-in first */
  KaPack     *pack;     /* (nullable) (owned): to find a response's prompt */

  /* prompt_id → gboolean[terms->len]: the terms each prompt uses. Filled lazily, so a
   * pack's prompts are scanned once however many responses they have. */
  GMutex      echo_lock;
  GHashTable *echoes;
};

G_DEFINE_FINAL_TYPE (KaIdentityV1Guard, ka_identity_v1_guard, G_TYPE_OBJECT)

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
ka_identity_v1_guard_finalize (GObject *object)
{
  KaIdentityV1Guard *self = KA_IDENTITY_V1_GUARD (object);

  g_clear_pointer (&self->terms, g_ptr_array_unref);
  g_clear_object (&self->pack);
  g_clear_pointer (&self->echoes, g_hash_table_unref);
  g_mutex_clear (&self->echo_lock);

  G_OBJECT_CLASS (ka_identity_v1_guard_parent_class)->finalize (object);
}

static void
ka_identity_v1_guard_class_init (KaIdentityV1GuardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ka_identity_v1_guard_finalize;
}

static void
ka_identity_v1_guard_init (KaIdentityV1Guard *self)
{
  self->terms = g_ptr_array_new_with_free_func (term_free);
  g_mutex_init (&self->echo_lock);
  self->echoes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < G_N_ELEMENTS (builtin_terms); i++)
    {
      const BuiltinTerm *b = &builtin_terms[i];

      g_ptr_array_add (self->terms,
                       term_new (b->text, b->flags, b->not_followed_by, b->not_preceded_by));
    }
}

static void
add_extra_terms (KaIdentityV1Guard    *self,
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
 * ka_identity_v1_guard_new:
 * @extra_terms: (nullable) (array zero-terminated=1): more names to look for, such as a
 *   pack's `identity_terms`
 *
 * Creates a guard that looks for the built-in model and vendor names
 * (ka_identity_v1_guard_get_builtin_terms()) plus @extra_terms. An extra term that equals a
 * built-in one (ignoring ASCII case) keeps the built-in matching rules; any other extra term
 * matches anywhere, ignoring ASCII case, on word boundaries.
 *
 * Returns: (transfer full): a new guard
 */
KaIdentityV1Guard *
ka_identity_v1_guard_new (const char * const *extra_terms)
{
  KaIdentityV1Guard *self = g_object_new (KA_TYPE_IDENTITY_V1_GUARD, NULL);

  add_extra_terms (self, extra_terms);
  return self;
}

/**
 * ka_identity_v1_guard_new_for_pack:
 * @pack: a #KaPack
 *
 * Creates a guard for @pack: the built-in names plus the pack's `identity_terms`. The guard
 * keeps a reference to @pack so that ka_identity_v1_guard_check_response() can see the prompt a
 * response answers: a name the prompt itself uses (MT-bench question 98 asks about GPT-4) is
 * not held against the answers unless an answer uses it to describe itself.
 *
 * Returns: (transfer full): a new guard
 */
KaIdentityV1Guard *
ka_identity_v1_guard_new_for_pack (KaPack *pack)
{
  KaIdentityV1Guard *self;

  g_return_val_if_fail (KA_IS_PACK (pack), NULL);

  self = ka_identity_v1_guard_new (ka_pack_get_identity_terms (pack));
  self->pack = g_object_ref (pack);
  return self;
}

/**
 * ka_identity_v1_guard_get_builtin_terms:
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
ka_identity_v1_guard_get_builtin_terms (void)
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

static void
subject_init (Subject    *s,
              const char *text)
{
  s->text = normalise_for_matching (text);
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

/* Self-descriptions. English: "I am" / "I'm" / "my name is", then only words that can sit
 * in a self-description ("I am a large language model trained by OpenAI"), so that "I'm sure
 * that GPT-4 …" or "I am impressed by GPT-4" are not. Korean: "저는" / "나는" / "제 이름은",
 * at most three words, then the name with a copula ("저는 Anthropic이 만든 Claude입니다"). */
static const char * const self_gap_words[] = {
  "a", "an", "the", "called", "named", "actually", "just", "only", "simply", "based", "on",
  "built", "powered", "by", "trained", "created", "developed", "made", "large", "language",
  "model", "ai", "assistant", "chatbot", "version", "of", NULL,
};

static const char * const korean_self_references[] = { "저는 ", "나는 ", "제 이름은 " };

static const char * const korean_copulas[] = {
  "입니다", "이에요", "예요", "이야", "야", "이며", "이고", "이다", "라고", "이라고", "라는",
  "이라는", "랍니다", "이랍니다",
};

/* Counts the words in [from, to); G_MAXUINT when a sentence ends in between or, with
 * @allowed, when a word is not in @allowed. */
static guint
count_gap_words (const Subject      *s,
                 gsize               from,
                 gsize               to,
                 const char * const *allowed)
{
  guint words = 0;
  gsize k = from;

  while (k < to)
    {
      gsize w;

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
      if (allowed != NULL)
        {
          g_autofree char *word = g_strndup (s->folded + k, w - k);

          if (!g_strv_contains (allowed, word))
            return G_MAXUINT;
        }
      words++;
      k = w;
    }
  return words;
}

static gboolean
followed_by_copula (const Subject *s,
                    gsize          end)
{
  /* Skip a version ("GPT-4o입니다", "Claude 3.5입니다"). */
  for (guint n = 0; n < 12 && end < s->len &&
       (g_ascii_isalnum (s->text[end]) || strchr (" .-", s->text[end]) != NULL); n++)
    end++;
  for (guint i = 0; i < G_N_ELEMENTS (korean_copulas); i++)
    if (end + strlen (korean_copulas[i]) <= s->len &&
        memcmp (s->text + end, korean_copulas[i], strlen (korean_copulas[i])) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_self_reference (const Subject *s,
                   gsize          start,
                   gsize          end)
{
  gsize from = start > SELF_WINDOW ? start - SELF_WINDOW : 0;

  for (gsize i = from; i < start; i++)
    {
      for (guint r = 0; r < G_N_ELEMENTS (self_references); r++)
        {
          gsize gap = i + strlen (self_references[r]);

          if (gap <= start && has_folded_at (s, i, self_references[r]) &&
              count_gap_words (s, gap, start, self_gap_words) <= SELF_MAX_WORDS)
            return TRUE;
        }
      for (guint r = 0; r < G_N_ELEMENTS (korean_self_references); r++)
        {
          gsize gap = i + strlen (korean_self_references[r]);

          if (gap <= start && has_folded_at (s, i, korean_self_references[r]) &&
              count_gap_words (s, gap, start, NULL) <= 3 && followed_by_copula (s, end))
            return TRUE;
        }
    }
  return FALSE;
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
            count_gap_words (s, gap, start, self_gap_words) <= SELF_MAX_WORDS)
          return TRUE;
      }
  return FALSE;
}

typedef enum
{
  FIND_FLAG,      /* an occurrence that flags a response */
  FIND_MENTION,   /* any occurrence, AI context or not (in a prompt) */
  FIND_SELF,      /* an occurrence after a self-reference */
} FindMode;

/* Where the term found at @start (its first part is there, ASCII case ignored) ends, its
 * parts separated by at most MAX_SEPARATORS spaces, tabs or hyphens; 0 when it is not
 * there (in exact case for TERM_CASE). */
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

          while (at < s->len && skipped < MAX_SEPARATORS && strchr (" \t-", s->text[at]) != NULL)
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
  if (term->flags & TERM_SELF)
    return is_self_description (s, start);
  if (mode == FIND_SELF)
    return is_self_reference (s, start, end);
  if ((term->flags & TERM_CONTEXT) && mode == FIND_FLAG)
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

/* Returns the first term found in @text, or NULL. Terms marked in @echoed (may be NULL) only
 * count when used as a self-description. */
static const Term *
scan_subject (KaIdentityV1Guard *self,
              const Subject   *s,
              const gboolean  *echoed)
{
  for (guint i = 0; i < self->terms->len; i++)
    {
      const Term *term = g_ptr_array_index (self->terms, i);

      if (term_found (term, s, echoed != NULL && echoed[i] ? FIND_SELF : FIND_FLAG))
        return term;
    }
  return NULL;
}

/**
 * ka_identity_v1_guard_scan:
 * @self: a #KaIdentityV1Guard
 * @text: UTF-8 text, e.g. one turn of a response
 * @matched_term: (out) (optional) (nullable) (transfer full): the term found, as listed
 *
 * Looks for a model or vendor name in @text. Matching ignores ASCII case unless a term is
 * exact-case; Latin names need word boundaries ("palm" is not in "napalm", "meta" is not in
 * "metadata"), a Korean name must not sit inside another Hangul word ("드라마" is not
 * "라마") but may take a particle ("라마는"), and everyday words and big brands (Google,
 * Meta, Solar, 메타, 라마, …) count only in a sentence that speaks of AI. @text is first
 * normalised for matching only (NFKC, default-ignorable characters removed, Cyrillic/Greek
 * look-alikes of Latin letters read as Latin), and names of several parts match with spaces
 * or hyphens between them ("Deep Seek", "오픈 AI"). The full rules and the measured flag
 * rates are in docs/pack-format.md.
 *
 * Returns: %TRUE when @text names a model or vendor
 */
gboolean
ka_identity_v1_guard_scan (KaIdentityV1Guard  *self,
                        const char       *text,
                        char            **matched_term)
{
  Subject s;
  const Term *term;

  g_return_val_if_fail (KA_IS_IDENTITY_V1_GUARD (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  if (matched_term != NULL)
    *matched_term = NULL;

  subject_init (&s, text);
  term = scan_subject (self, &s, NULL);
  subject_clear (&s);

  if (term != NULL && matched_term != NULL)
    *matched_term = g_strdup (term->text);
  return term != NULL;
}

/* The terms @prompt uses (as a mention: an AI context is not needed). Terms are fixed after
 * construction and the pack's prompts live as long as the pack, which the guard holds, so
 * the cached array stays valid; the lock only guards the table. */
static const gboolean *
prompt_echoes (KaIdentityV1Guard    *self,
               const KaPackPrompt *prompt)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->echo_lock);
  gboolean *echoed = g_hash_table_lookup (self->echoes, prompt->prompt_id);

  if (echoed != NULL)
    return echoed;

  echoed = g_new0 (gboolean, self->terms->len);
  for (guint t = 0; t < prompt->n_turns; t++)
    {
      Subject s;

      subject_init (&s, prompt->turns[t]);
      for (guint i = 0; i < self->terms->len; i++)
        if (!echoed[i] && term_found (g_ptr_array_index (self->terms, i), &s, FIND_MENTION))
          echoed[i] = TRUE;
      subject_clear (&s);
    }
  g_hash_table_insert (self->echoes, g_strdup (prompt->prompt_id), echoed);
  return echoed;
}

/**
 * ka_identity_v1_guard_check_response:
 * @self: a #KaIdentityV1Guard
 * @response: a response, normally of the guard's pack
 * @matched_term: (out) (optional) (nullable) (transfer full): the term found, as listed
 *
 * Scans every turn of @response with ka_identity_v1_guard_scan(). When the guard was made with
 * ka_identity_v1_guard_new_for_pack() and @response belongs to that pack, a name the
 * prompt itself uses counts only where the answer uses it to describe itself ("I am GPT-4",
 * "저는 … 입니다"): the prompt, not the model, brought the name in, so every answer may use it.
 *
 * Returns: %TRUE when the response is flagged and must not be scheduled
 */
gboolean
ka_identity_v1_guard_check_response (KaIdentityV1Guard      *self,
                                  const KaPackResponse *response,
                                  char                **matched_term)
{
  const KaPackPrompt *prompt = NULL;
  const gboolean *echoed = NULL;
  const Term *term = NULL;

  g_return_val_if_fail (KA_IS_IDENTITY_V1_GUARD (self), FALSE);
  g_return_val_if_fail (response != NULL, FALSE);

  if (matched_term != NULL)
    *matched_term = NULL;

  /* Only a response of the guard's own pack has a prompt the guard can see. */
  if (self->pack != NULL && response->response_id != NULL && response->prompt_id != NULL &&
      ka_pack_lookup_response (self->pack, response->response_id) == response)
    prompt = ka_pack_lookup_prompt (self->pack, response->prompt_id);
  if (prompt != NULL)
    echoed = prompt_echoes (self, prompt);

  for (guint t = 0; t < response->n_turns && term == NULL; t++)
    {
      Subject s;

      subject_init (&s, response->turns[t]);
      term = scan_subject (self, &s, echoed);
      subject_clear (&s);
    }

  if (term != NULL && matched_term != NULL)
    *matched_term = g_strdup (term->text);
  return term != NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Model families, for pack builders. */

typedef struct
{
  const char *key;            /* found anywhere in the lower-cased model ID */
  const char *organisation;
  const char *terms;          /* '|'-separated identity terms */
} Family;

static const Family families[] = {
  { "chatgpt", "OpenAI", "GPT|ChatGPT|OpenAI|챗GPT|오픈AI" },
  { "gpt4all", "Nomic AI", "GPT4All|Nomic" },
  { "h2ogpt", "H2O.ai", "h2oGPT|H2O.ai" },
  { "gpt", "OpenAI", "GPT|ChatGPT|OpenAI|챗GPT|오픈AI" },
  { "claude", "Anthropic", "Claude|Anthropic|클로드|앤트로픽" },
  { "gemini", "Google", "Gemini|Google|제미나이|구글" },
  { "gemma", "Google", "Gemma|Google|젬마|구글" },
  { "palm", "Google", "PaLM|Bard|Google|구글" },
  { "bard", "Google", "Bard|PaLM|Google|구글" },
  { "qwen", "Alibaba Cloud", "Qwen|Tongyi|Alibaba|Alibaba Cloud|큐웬|통의천문|알리바바" },
  { "deepseek", "DeepSeek", "DeepSeek|딥시크" },
  { "mixtral", "Mistral AI", "Mixtral|Mistral|미스트랄" },
  { "mistral", "Mistral AI", "Mistral|Mixtral|미스트랄" },
  { "exaone", "LG AI Research", "EXAONE|LG AI|엑사원" },
  { "hyperclova", "NAVER Cloud", "HyperCLOVA|CLOVA|Naver|하이퍼클로바|클로바|네이버" },
  { "hcx", "NAVER Cloud", "HyperCLOVA|CLOVA|Naver|하이퍼클로바|클로바|네이버" },
  { "solar", "Upstage", "Solar|Upstage|솔라|업스테이지" },
  { "varco", "NC AI", "VARCO|NC AI|NCSOFT|바르코|엔씨소프트" },
  { "a.x", "SK Telecom", "A.X|에이닷|SK Telecom|SK텔레콤|SKT" },
  { "kanana", "Kakao", "Kanana|Kakao|카나나|카카오" },
  { "vicuna", "LMSYS", "Vicuna|LMSYS" },
  { "fastchat", "LMSYS", "FastChat|LMSYS" },
  { "llama", "Meta", "Llama|LLaMA|Meta|라마|메타" },
  { "phi-", "Microsoft", "Phi|Microsoft|마이크로소프트" },
  { "wizardlm", "Microsoft", "WizardLM" },
  { "command-r", "Cohere", "Command R|Cohere" },
  { "aya", "Cohere", "Cohere|Command R" },
  { "c4ai", "Cohere", "Cohere|Command R" },
  { "glm", "Zhipu AI", "ChatGLM|GLM-4|Zhipu" },
  { "falcon", "TII", "Falcon" },
  { "mpt-", "MosaicML", "MosaicML|MPT-7B|MPT-30B" },
  { "stablelm", "Stability AI", "StableLM|Stability AI" },
  { "dolly", "Databricks", "Dolly|Databricks" },
  { "koala", "BAIR", "Koala|BAIR|UC Berkeley" },
  { "alpaca", "Stanford CRFM", "Alpaca" },
  { "guanaco", "UW NLP", "Guanaco" },
  { "tulu", "AI2", "Tulu|AI2" },
  { "oasst", "LAION", "OpenAssistant|Open Assistant|LAION" },
  { "rwkv", "RWKV", "RWKV" },
  { "nous-hermes", "Nous Research", "Nous Hermes|Nous Research" },
  { "baize", "Baize", "Baize" },
};

static const Family *
lookup_family (const char *model_id)
{
  g_autofree char *folded = g_ascii_strdown (model_id, -1);

  for (guint i = 0; i < G_N_ELEMENTS (families); i++)
    if (strstr (folded, families[i].key) != NULL)
      return &families[i];
  return NULL;
}

/**
 * ka_identity_v1_guess_organisation:
 * @model_id: a model ID or file name such as "gpt-4o-2024-11-20" or "qwen-2.5-72b-instruct"
 *
 * The organisation behind a well-known model family, for pack builders.
 *
 * Returns: (transfer none) (nullable): the organisation, e.g. "OpenAI", or %NULL
 */
const char *
ka_identity_v1_guess_organisation (const char *model_id)
{
  const Family *family;

  g_return_val_if_fail (model_id != NULL, NULL);

  family = lookup_family (model_id);
  return family != NULL ? family->organisation : NULL;
}

/**
 * ka_identity_v1_terms_for_model:
 * @model_id: a model ID or file name
 *
 * The names by which a model of a well-known family could give itself away (family,
 * product and vendor, English and Korean), for a pack's `identity_terms`.
 *
 * Returns: (transfer full) (array zero-terminated=1): the terms; empty for an unknown family
 */
char **
ka_identity_v1_terms_for_model (const char *model_id)
{
  const Family *family;

  g_return_val_if_fail (model_id != NULL, NULL);

  family = lookup_family (model_id);
  if (family == NULL)
    return g_new0 (char *, 1);
  return g_strsplit (family->terms, "|", -1);
}
