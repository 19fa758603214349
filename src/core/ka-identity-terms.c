/* ka-identity-terms.c: the names every model family goes by (DESIGN.md §7)
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-identity"

#include "config.h"

#include <string.h>

#include "ka-identity-terms.h"

typedef struct
{
  const char *keys;           /* '|'-separated; found anywhere in the lower-cased model ID */
  const char *organisation;
  const char *terms;          /* '|'-separated: products and vendor, English and Korean */
} Family;

/* The maintained alias table. Every model family in ../shared/data (ko-arena-hard,
 * MT-bench, LogicKor, AlpacaEval, Chatbot Arena) and the sovereign AI programme's five
 * teams (LG AI Research, NAVER Cloud, SK Telecom, Upstage, NC AI) and their models are
 * here, and the vendors of the larger public leaderboards. The first entry whose key is
 * in the ID wins, so fine-tunes come before the base family they name
 * ("Llama-VARCO" is NC AI's, "Gukbap-Gemma2" is HumanF's). Add a family here, with its
 * Korean names, before building a pack with it. */
static const Family families[] = {
  /* The programme's teams */
  { "exaone", "LG AI Research", "EXAONE|엑사원|LG AI Research|LG AI연구원|LG AI" },
  { "hyperclova|hcx", "NAVER Cloud",
    "HyperCLOVA X|HyperCLOVA|CLOVA X|CLOVA|하이퍼클로바X|하이퍼클로바|클로바X|클로바|NAVER Cloud|Naver|네이버클라우드|네이버" },
  { "a.x|a-x-|ax-4|ax4", "SK Telecom", "A.X|에이닷엑스|에이닷|SK Telecom|SKT|SK텔레콤" },
  { "vaetki", "NC AI", "VAETKI|VARCO|NC AI|NCSOFT|바르코|엔씨소프트" },
  { "varco", "NC AI", "VARCO|VAETKI|NC AI|NCSOFT|바르코|엔씨소프트" },
  { "solar-pro|solar-mini|upstage", "Upstage", "Solar|Upstage|솔라|업스테이지" },
  { "kanana", "Kakao", "Kanana|Kakao|카나나|카카오" },
  { "midm|mi:dm", "KT", "Mi:dm|KT" },
  /* Korean fine-tunes met in LogicKor */
  { "eeve", "Yanolja", "EEVE|Yanolja|야놀자" },
  { "bookworm", "Yanolja", "Bookworm|Yanolja|야놀자" },
  { "akallama", "MIR Lab", "AkaLlama|Llama|Meta|라마|메타" },
  { "kullm", "Korea University NLP&AI Lab", "KULLM|NLP&AI Lab" },
  { "synatra", "maywell", "Synatra" },
  { "tinywand", "maywell", "TinyWand" },
  { "gukbap", "HumanF-MarkrAI", "Gukbap|MarkrAI|Gemma|젬마" },
  { "bllossom", "Bllossom", "Bllossom|Llama|라마" },
  { "alpha-ko", "Allganize", "Alpha-Ko|Allganize|올거나이즈" },
  { "t3q", "T3Q", "T3Q|Solar|솔라" },
  { "nox-solar", "davidkim205", "nox|Solar|솔라" },
  { "solar", "Upstage", "Solar|Upstage|솔라|업스테이지" },
  /* OpenAI */
  { "chatgpt", "OpenAI", "GPT|ChatGPT|OpenAI|챗GPT|챗지피티|오픈AI|오픈에이아이" },
  { "gpt4all", "Nomic AI", "GPT4All|Nomic" },
  { "h2ogpt", "H2O.ai", "h2oGPT|H2O.ai" },
  { "gpt-oss|gpt|openai", "OpenAI", "GPT|ChatGPT|OpenAI|챗GPT|챗지피티|오픈AI|오픈에이아이" },
  { "o1-|o3-|o4-|o1|o3|o4-mini", "OpenAI", "o1|o3|o4-mini|GPT|ChatGPT|OpenAI|오픈AI" },
  /* Anthropic */
  { "claude|anthropic", "Anthropic", "Claude|Anthropic|클로드|앤트로픽|앤스로픽" },
  /* Google */
  { "gemini", "Google", "Gemini|Google|DeepMind|제미나이|제미니|구글|딥마인드" },
  { "gemma", "Google", "Gemma|Google|DeepMind|젬마|구글|딥마인드" },
  { "palm", "Google", "PaLM|Bard|Google|바드|구글" },
  { "bard", "Google", "Bard|PaLM|Google|바드|구글" },
  { "fastchat-t5|flan-t5", "LMSYS", "FastChat|LMSYS|T5" },
  /* Alibaba */
  { "qwen|qwq", "Alibaba Cloud",
    "Qwen|QwQ|Tongyi|通义千问|Alibaba|Alibaba Cloud|큐웬|통의천문|알리바바|알리바바 클라우드" },
  /* DeepSeek */
  { "deepseek", "DeepSeek", "DeepSeek|딥시크|深度求索" },
  /* Mistral AI */
  { "mixtral|mistral|codestral|ministral|magistral", "Mistral AI",
    "Mistral|Mixtral|Mistral AI|Le Chat|미스트랄" },
  /* Meta and its fine-tunes */
  { "vicuna", "LMSYS", "Vicuna|LMSYS" },
  { "wizardlm", "Microsoft", "WizardLM|Microsoft|마이크로소프트" },
  { "koala", "BAIR", "Koala|BAIR|UC Berkeley" },
  { "alpaca", "Stanford CRFM", "Alpaca|Stanford" },
  { "guanaco", "UW NLP", "Guanaco" },
  { "tulu", "AI2", "Tulu|AI2|Ai2|Allen Institute" },
  { "nous-hermes|hermes", "Nous Research", "Nous Hermes|Hermes|Nous Research" },
  { "oasst|openassistant", "LAION", "OpenAssistant|Open Assistant|LAION" },
  { "llama", "Meta", "Llama|LLaMA|Meta|Meta AI|라마|메타" },
  /* Microsoft */
  { "phi-|phi3|phi4", "Microsoft", "Phi|Microsoft|마이크로소프트" },
  /* Others */
  { "grok|xai", "xAI", "Grok|xAI|그록" },
  { "command-r|command-a|c4ai|aya|cohere", "Cohere", "Command R|Command A|Cohere|Aya|코히어" },
  { "nova-|amazon", "Amazon", "Amazon Nova|Nova|Amazon|Titan|아마존" },
  { "jamba|ai21", "AI21 Labs", "Jamba|AI21|AI21 Labs" },
  { "olmo", "Ai2", "OLMo|Ai2|AI2|Allen Institute" },
  { "lfm-|liquid", "Liquid AI", "LFM|Liquid AI|리퀴드" },
  { "minimax|abab", "MiniMax", "MiniMax|미니맥스" },
  { "glm|chatglm|zhipu", "Zhipu AI", "ChatGLM|GLM|Zhipu|智谱" },
  { "ernie", "Baidu", "ERNIE|ERNIE Bot|Baidu|文心|바이두" },
  { "yi-|01-ai", "01.AI", "01.AI|Yi" },
  { "kimi|moonshot", "Moonshot AI", "Kimi|Moonshot|키미" },
  { "falcon", "TII", "Falcon|TII|Technology Innovation Institute" },
  { "mpt-", "MosaicML", "MosaicML|MPT|Databricks" },
  { "dbrx", "Databricks", "DBRX|Databricks" },
  { "stablelm", "Stability AI", "StableLM|Stability AI" },
  { "dolly", "Databricks", "Dolly|Databricks" },
  { "rwkv", "RWKV", "RWKV" },
  { "pythia", "EleutherAI", "Pythia|EleutherAI" },
  { "baize", "Baize", "Baize" },
  { "nemotron", "NVIDIA", "Nemotron|NVIDIA|엔비디아" },
  { "granite", "IBM", "Granite|IBM" },
  { "reka", "Reka AI", "Reka" },
};

static const Family *
lookup_family (const char *model_id)
{
  g_autofree char *folded = g_ascii_strdown (model_id, -1);

  for (guint i = 0; i < G_N_ELEMENTS (families); i++)
    {
      g_auto(GStrv) keys = g_strsplit (families[i].keys, "|", -1);

      for (guint k = 0; keys[k] != NULL; k++)
        if (strstr (folded, keys[k]) != NULL)
          return &families[i];
    }
  return NULL;
}

/**
 * ka_identity_guess_organisation:
 * @model_id: a model ID or file name such as "gpt-4o-2024-11-20" or "qwen-2.5-72b-instruct"
 *
 * The organisation behind a model family of the alias table, for pack builders.
 *
 * Returns: (transfer none) (nullable): the organisation, e.g. "OpenAI", or %NULL
 */
const char *
ka_identity_guess_organisation (const char *model_id)
{
  const Family *family;

  g_return_val_if_fail (model_id != NULL, NULL);

  family = lookup_family (model_id);
  return family != NULL ? family->organisation : NULL;
}

/**
 * ka_identity_terms_known_model:
 * @model_id: a model ID, file name or display name
 *
 * Whether the alias table knows the family of @model_id, so that the identity guard has
 * its names in English and Korean. `pack build` refuses a model it does not know.
 *
 * Returns: %TRUE for a known family
 */
gboolean
ka_identity_terms_known_model (const char *model_id)
{
  g_return_val_if_fail (model_id != NULL, FALSE);

  return lookup_family (model_id) != NULL;
}

/**
 * ka_identity_terms_for_model:
 * @model_id: a model ID or file name
 *
 * The names by which a model of a known family could give itself away (family,
 * product and vendor, English and Korean), for a pack's `identity_terms`.
 *
 * Returns: (transfer full) (array zero-terminated=1): the terms; empty for an unknown family
 */
char **
ka_identity_terms_for_model (const char *model_id)
{
  const Family *family;

  g_return_val_if_fail (model_id != NULL, NULL);

  family = lookup_family (model_id);
  if (family == NULL)
    return g_new0 (char *, 1);
  return g_strsplit (family->terms, "|", -1);
}

/* Parts of an ID that say nothing about who made the model. */
static const char * const generic_parts[] = {
  "instruct", "chat", "base", "preview", "latest", "turbo", "mini", "pro", "large", "small",
  "medium", "tiny", "nano", "ultra", "plus", "max", "lite", "flash", "it", "hf", "sft", "dpo",
  "rlhf", "online", "exp", "experimental", "vision", "code", "coder", "math", "distill",
  "awq", "gptq", "gguf", "fp8", "fp16", "bf16", "int4", "int8", "tuned", "model", "open",
  "korean", "ko", "en", "kor", "eng", "alpha", "beta", "snoozy", "raven", "sonnet", "opus",
  "haiku", "default", "release", "version", "final", "merged", "light", "fast", "thinking",
  "reasoning", "creative", "assistant", "the", "and", "llm", "sft", "kiqu", "edu",
  NULL,
};

static gboolean
is_size_or_date (const char *token)
{
  gsize n = strlen (token);
  gboolean digits = n > 0;

  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isdigit (token[i]))
      digits = FALSE;
  if (digits && n >= 4)
    return TRUE;   /* 2024, 0613, 20240620 */
  /* 72b, 8x7b, 10.7b, 4k, 128k */
  if (n >= 2 && (token[n - 1] == 'b' || token[n - 1] == 'k' || token[n - 1] == 'm') &&
      g_ascii_isdigit (token[n - 2]))
    return TRUE;
  return FALSE;
}

static gboolean
is_version (const char *token)
{
  const char *p = token;

  if (*p == 'v' || *p == 'V')
    p++;
  if (!g_ascii_isdigit (*p) || is_size_or_date (token))
    return FALSE;
  while (g_ascii_isdigit (*p))
    p++;
  /* "4o", "3.5" (split already), "2a" */
  return *p == '\0' || (g_ascii_isalpha (*p) && p[1] == '\0');
}

static char **
id_tokens (const char *model_id)
{
  const char *slash = strrchr (model_id, '/');
  g_autofree char *stem = g_ascii_strdown (slash != NULL ? slash + 1 : model_id, -1);

  g_strdelimit (stem, "-_ .:", ' ');
  return g_strsplit (stem, " ", -1);
}

/**
 * ka_identity_terms_model_parts:
 * @model_id: a model ID or display name, such as "anthropic/claude-3-5-sonnet-20240620"
 *
 * The meaningful parts of @model_id: the words of three or more letters that are not
 * generic ("instruct", "chat", "preview", sizes, dates, versions), e.g. "claude"; and an
 * organisation prefix before '/' ("anthropic").
 *
 * Returns: (transfer full) (array zero-terminated=1): the parts, lower case
 */
char **
ka_identity_terms_model_parts (const char *model_id)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) tokens = NULL;
  const char *slash;

  g_return_val_if_fail (model_id != NULL, NULL);

  slash = strchr (model_id, '/');
  if (slash != NULL && slash - model_id >= 3)
    g_ptr_array_add (parts, g_ascii_strdown (model_id, slash - model_id));

  tokens = id_tokens (model_id);
  for (guint i = 0; tokens[i] != NULL; i++)
    {
      const char *t = tokens[i];
      guint letters = 0;

      for (const char *p = t; *p != '\0'; p++)
        if (g_ascii_isalpha (*p))
          letters++;
      if (letters < 3 || is_size_or_date (t) || g_strv_contains (generic_parts, t))
        continue;
      if (!g_ptr_array_find_with_equal_func (parts, t, g_str_equal, NULL))
        g_ptr_array_add (parts, g_strdup (t));
    }
  g_ptr_array_add (parts, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&parts), FALSE);
}

/**
 * ka_identity_terms_model_names:
 * @model_id: a model ID or display name, such as "gpt-4o-2024-11-20"
 *
 * The names that single out this model rather than its family: a name word followed by
 * its version ("gpt 4o", "claude 3 5", "qwen 2 5", "deepseek v3", "exaone 3 5"), parts
 * separated by a space (the guard lets any of space, '-', '.' or nothing stand there).
 * Empty when the ID has no version ("llama-13b").
 *
 * Returns: (transfer full) (array zero-terminated=1): the names, lower case
 */
char **
ka_identity_terms_model_names (const char *model_id)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) tokens = NULL;

  g_return_val_if_fail (model_id != NULL, NULL);

  tokens = id_tokens (model_id);
  for (guint i = 0; tokens[i] != NULL; i++)
    {
      const char *t = tokens[i];
      g_autoptr(GString) name = NULL;
      gsize alpha = 0;
      guint versions = 0;

      while (g_ascii_isalpha (t[alpha]))
        alpha++;
      if (alpha < 2 || g_strv_contains (generic_parts, t))
        continue;
      name = g_string_new (NULL);
      g_string_append_len (name, t, (gssize) alpha);
      if (t[alpha] != '\0')
        {
          /* "qwen2", "phi3": the version is glued on */
          if (!is_version (t + alpha))
            continue;
          g_string_append_printf (name, " %s", t + alpha);
          versions++;
        }
      for (guint j = i + 1; tokens[j] != NULL && is_version (tokens[j]) && j < i + 3; j++)
        {
          g_string_append_printf (name, " %s", tokens[j]);
          versions++;
        }
      if (versions > 0 && !g_ptr_array_find_with_equal_func (names, name->str, g_str_equal, NULL))
        g_ptr_array_add (names, g_string_free (g_steal_pointer (&name), FALSE));
      if (versions > 0)
        break;
    }
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}
