/* test-identity.c: the identity-leak guard on real model outputs and on edge cases
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "ka-identity.h"
#include "ka-identity-labels.h"
#include "ka-pack-builder.h"
#include "ka-pack.h"
#include "ka-plain-text.h"
#include "ka-text-fold.h"

static KaPack *
build (KaPackSource  source,
       const char   *dir)
{
  KaPackBuildOptions options = { 0 };
  g_autoptr(GError) error = NULL;
  KaPack *pack;

  options.source = source;
  options.source_dir = dir;
  pack = ka_pack_build (&options, NULL, &error);
  g_assert_no_error (error);
  return pack;
}

static KaPack *
build_test_data (KaPackSource  source,
                 const char   *name)
{
  g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "data", name, NULL);

  return build (source, dir);
}

static const KaPackResponse *
find_response (KaPack     *pack,
               const char *prompt_id,
               const char *model_id)
{
  g_autoptr(GPtrArray) answers = ka_pack_get_prompt_responses (pack, prompt_id);

  g_assert_nonnull (answers);
  for (guint i = 0; i < answers->len; i++)
    {
      const KaPackResponse *r = g_ptr_array_index (answers, i);

      if (g_str_equal (r->model_id, model_id))
        return r;
    }
  g_error ("no response of %s to prompt %s", model_id, prompt_id);
  return NULL;
}

typedef struct
{
  const char *prompt_id;
  const char *model_id;
  const char *term;       /* NULL: must not be flagged */
  const char *what;       /* the passage, for the reader */
} RealCase;

static void
check_real_cases (KaPack         *pack,
                  const RealCase *cases,
                  guint           n_cases)
{
  g_autoptr(KaIdentityGuard) guard = ka_identity_guard_new_for_pack (pack);

  for (guint i = 0; i < n_cases; i++)
    {
      const RealCase *c = &cases[i];
      const KaPackResponse *r = find_response (pack, c->prompt_id, c->model_id);
      g_autofree char *term = NULL;
      gboolean flagged = ka_identity_guard_check_response (guard, r, &term);

      if (c->term == NULL && flagged)
        g_error ("%s / %s (%s) was flagged for \"%s\"", c->prompt_id, c->model_id, c->what,
                 term);
      if (c->term != NULL && !flagged)
        g_error ("%s / %s (%s) was not flagged", c->prompt_id, c->model_id, c->what);
      g_assert_cmpstr (term, ==, c->term);
    }
}

/* Real self-identifying answers, cited by question_id and model (tests/data/mt_bench). */
static void
test_real_mt_bench (void)
{
  g_autoptr(KaPack) pack = build_test_data (KA_PACK_SOURCE_MT_BENCH, "mt_bench");
  const RealCase cases[] = {
    { "91", "claude-v1", "Anthropic",
      "I'm an AI assistant created by Anthropic to be helpful, harmless, and honest." },
    { "100", "claude-v1", "Anthropic",
      "I am an AI assistant created by Anthropic to be helpful, harmless, and honest." },
    { "100", "claude-instant-v1", "Claude",
      "I am Claude, an AI assistant created by Anthropic." },
    { "102", "claude-v1", "Anthropic", "I am an AI assistant created by Anthropic" },
    { "102", "claude-instant-v1", "Claude", "I am Claude, an AI assistant created by …" },
    { "94", "palm-2-chat-bison-001",
      "If you believe this is an error, please send us your feedback",
      "I'm only a language model. If you believe this is an error, please send us your …" },
    { "110", "palm-2-chat-bison-001",
      "If you believe this is an error, please send us your feedback", "the same refusal" },
    { "102", "koala-13b", "UC Berkeley",
      "As a large language model trained by researchers at UC Berkeley, …" },
    /* Topical: the model talks about GPT-4 and OpenAI, not about itself. */
    { "98", "guanaco-65b", NULL, "GPT-4 is an impressive language model developed by "
      "OpenAI" },
    { "98", "tulu-30b", NULL, "I'm impressed with what the folks at OpenAI have …" },
    { "96", "h2ogpt-oasst-open-llama-13b", NULL, "the approach of GPT-2 by OpenAI" },
    { "149", "wizardlm-30b", NULL, "AlphaGo, a computer program developed by Google DeepMind" },
    { "158", "gpt4all-13b-snoozy", NULL, "I'm Bill Gates, the co-founder of Microsoft." },
    /* Question 98 itself asks about GPT-4: naming it reveals nothing. */
    { "98", "gpt-4", NULL, "Oh, GPT-4, huh? Interesting piece of tech" },
    { "98", "koala-13b", NULL, "I'm sure that GPT-4 and other AI systems will …" },
    /* Ordinary text. */
    { "138", "claude-v1", NULL, "\"Google Pixel\": 8.0 in a JSON object" },
    { "148", "gpt-4", NULL, "a solar-powered water heating system" },
    { "153", "gpt-4", NULL, "a record fine on Alibaba for violating antitrust law" },
    { "155", "gpt-4", NULL, "\"Water Lilies\" by Claude Monet" },
    { "85", "falcon-40b-instruct", NULL, "the noir novel The Maltese Falcon" },
    { "145", "gpt-4", NULL, "CaCO3 + 2 HCl → CaCl2 + H2O + CO2" },
  };

  check_real_cases (pack, cases, G_N_ELEMENTS (cases));
}

/* Real Korean-prompt answers (tests/data/ko_arena_hard). */
static void
test_real_ko_arena_hard (void)
{
  g_autoptr(KaPack) pack = build_test_data (KA_PACK_SOURCE_KO_ARENA_HARD, "ko_arena_hard");
  const RealCase cases[] = {
    /* Topical mentions the guard before issue 10 hid (DESIGN.md §7: not self-identification). */
    { "e63f97d5be634a96b5cf211ba0ba8017", "gpt-4o-2024-11-20", NULL,
      "**GPT 기반 언어 모델**: OpenAI, Google, 또는 자체 개발 모델 활용." },
    { "e63f97d5be634a96b5cf211ba0ba8017", "deepseek-v3", NULL,
      "**AI 플랫폼**: OpenAI GPT, Google Dialogflow, Microsoft Azure Bot Service 등." },
    { "0df741e684e4408694745a377b3b8e9d", "qwen-2.5-72b-instruct", NULL,
      "BERT, GPT 등의 사전 훈련 모델" },
    { "0df741e684e4408694745a377b3b8e9d", "gpt-4o-2024-11-20", NULL,
      "BERT, GPT 등 사전 학습 모델 (its own family, named topically)" },
    /* The prompt asks for a Microsoft M365 catalogue: Microsoft is the prompt's word. */
    { "e7e76d4bcf0342308ca6153634000a4a", "deepseek-v3", NULL,
      "### Microsoft M365 컨설팅 서비스 카탈로그 (… AI …)" },
    { "28373ea96efe4ceb9c8bc4dff71f1c2e", "claude-3.5-sonnet", NULL,
      "og:image 메타 태그 찾기 / soup.find('meta', property='og:image')" },
    { "28373ea96efe4ceb9c8bc4dff71f1c2e", "deepseek-v3", NULL,
      "모든 메타 태그를 찾습니다. meta_tags = soup.find_all('meta')" },
    { "847e0891929a4521aee127ee20b50e30", "claude-3.5-sonnet", NULL,
      "<com.google.android.material.appbar.MaterialToolbar" },
    { "c67189582cb34f088ff72251df940821", "deepseek-v3", NULL,
      "클라우드 기반 아키텍처 (예: AWS, Azure, Google Cloud)" },
    { "49f5dd3b0ce248f8bb54d8ec0eef45fa", "qwen-2.5-72b-instruct", NULL,
      "태양광 발전 (Photovoltaic Solar Power)" },
  };

  check_real_cases (pack, cases, G_N_ELEMENTS (cases));
}

typedef struct
{
  const char *text;
  const char *term;   /* NULL: must not be flagged */
} ScanCase;

static void
check_scan_cases (KaIdentityGuard *guard,
                  const ScanCase  *cases,
                  guint            n_cases)
{
  for (guint i = 0; i < n_cases; i++)
    {
      g_autofree char *term = NULL;
      gboolean flagged = ka_identity_guard_scan (guard, cases[i].text, &term);

      if (flagged != (cases[i].term != NULL) || g_strcmp0 (term, cases[i].term) != 0)
        g_error ("\"%s\": expected %s, got %s", cases[i].text,
                 cases[i].term != NULL ? cases[i].term : "(not flagged)",
                 term != NULL ? term : "(not flagged)");
    }
}

/* Self-identification is flagged, in English and Korean, for every vendor family. */
static void
test_scan_self (void)
{
  g_autoptr(KaIdentityGuard) guard = ka_identity_guard_new (NULL);
  const ScanCase cases[] = {
    { "I am ChatGPT, a model by OpenAI.", "ChatGPT" },
    { "As a language model developed by Google, I cannot browse the web.", "Google" },
    { "I'm Claude, made by Anthropic.", "Claude" },
    { "I'm a large language model, trained by Google.", "Google" },
    { "You can call me Claude. It's nice to meet you!", "Claude" },
    { "My name is Gemini.", "Gemini" },
    { "I am an AI model built by the team at Google.", "Google" },
    { "I was trained by Meta AI.", "Meta AI" },
    { "While we are both large language models trained by Anthropic, we differ.", "Anthropic" },
    { "Anthropic created me to be helpful.", "Anthropic" },
    { "As an AI assistant created by ExampleCorp, I cannot say.", "created by" },
    { "저는 Claude입니다.", "Claude" },
    { "저는 클로드입니다.", "클로드" },
    { "저는 네이버에서 만든 AI입니다.", "네이버" },
    { "저는 Anthropic이 개발한 AI 어시스턴트입니다.", "Anthropic" },
    { "OpenAI에서 개발한 AI 언어 모델입니다.", "OpenAI" },
    { "제 이름은 바르코예요.", "바르코" },
    /* The families the guard did not know before issue 10. */
    { "저는 xAI가 만든 Grok입니다.", "Grok" },
    { "I am Grok, built by xAI.", "Grok" },
    { "I'm Command R+, a model by Cohere.", "Command R" },
    { "I am Amazon Nova.", "Amazon Nova" },
    { "I am Jamba, made by AI21 Labs.", "Jamba" },
    { "I'm OLMo, from Ai2.", "OLMo" },
    { "I am LFM, a Liquid AI model.", "LFM" },
    { "I am MiniMax-Text-01.", "MiniMax" },
    { "I am o3, a reasoning model by OpenAI.", "o3" },
    /* The programme's own models, English and Korean. */
    { "저는 LG AI연구원이 개발한 EXAONE입니다.", "EXAONE" },
    { "저는 엑사원입니다.", "엑사원" },
    { "저는 하이퍼클로바X입니다.", "하이퍼클로바" },
    { "I am HyperCLOVA X, made by NAVER Cloud.", "HyperCLOVA" },
    { "저는 에이닷엑스입니다.", "에이닷엑스" },
    { "I am A.X, developed by SK Telecom.", "A.X" },
    { "저는 업스테이지가 만든 AI 솔라입니다.", "업스테이지" },
    { "저는 솔라입니다.", "솔라" },
    { "I am VAETKI, a model by NC AI.", "VAETKI" },
    /* Signatures. */
    { "Hope this helps!\n\n— Claude", "Claude" },
    { "도움이 되었길 바랍니다.\n\n-- ChatGPT", "ChatGPT" },
    { "Sincerely,\nClaude", "Claude" },
    { "감사합니다.\n\n클로드 드림", "클로드" },
    /* Vendor boilerplate. */
    { "I'm only a language model. If you believe this is an error, please send us your "
      "feedback.", "If you believe this is an error, please send us your feedback" },
  };

  check_scan_cases (guard, cases, G_N_ELEMENTS (cases));
  /* matched_term is optional. */
  g_assert_true (ka_identity_guard_scan (guard, "I am EXAONE 3.5.", NULL));
  g_assert_false (ka_identity_guard_scan (guard, "", NULL));
}

/* A topical mention is not a self-identification (issue 10: the old guard's 220 flags on a
 * 64-model pack were all of this kind). */
static void
test_scan_topical (void)
{
  g_autoptr(KaIdentityGuard) guard = ka_identity_guard_new (NULL);
  const ScanCase cases[] = {
    { "Gson: Google에서 개발한 JSON 라이브러리입니다.", NULL },
    { "Gson은 Google에서 개발한 라이브러리입니다.", NULL },
    { "AutoGen은 Microsoft가 개발한 프레임워크입니다.", NULL },
    { "- BERT, GPT 등 사전 학습 모델", NULL },
    { "메타적으로 보면 이 질문은 흥미롭습니다.", NULL },
    { "GPT는 OpenAI에서 개발한 언어 모델입니다.", NULL },
    { "Go는 구글에서 개발한 프로그래밍 언어입니다.", NULL },
    { "**GPT 기반 언어 모델**: OpenAI, Google, 또는 자체 개발 모델 활용.", NULL },
    { "I'm impressed with what the folks at OpenAI have been able to do.", NULL },
    { "I am impressed by GPT-4.", NULL },
    { "I'm sure that GPT-4 and other AI systems will push the boundaries.", NULL },
    { "I am a software engineer at Google.", NULL },
    { "As a ChatGPT user, I like it.", NULL },
    { "I'm Bill Gates, the co-founder of Microsoft.", NULL },
    { "I was impressed by Gemini.", NULL },
    { "We are a team at Google.", NULL },
    { "I am at Google I/O this week.", NULL },
    { "나는 구글이 만든 검색엔진을 좋아한다.", NULL },
    { "저는 구글에서 5년간 근무한 개발자입니다.", NULL },
    { "저는 ChatGPT를 자주 사용합니다.", NULL },
    { "Our team compared Claude and GPT-4.", NULL },
    { "ChatGPT is a large language model developed by OpenAI.", NULL },
    { "Here are some key differences between ChatGPT and me.", NULL },
    { "As an AI language model, I don't have opinions.", NULL },
    { "I'm only a language model.", NULL },
    { "As a result of the decisions made by the board, prices rose.", NULL },
    { "Google Pixel 8 has a good camera.", NULL },
    { "\"Water Lilies\" by Claude Monet", NULL },
    { "— Claude Monet", NULL },
    { "- GPT-4\n- Claude\n- Gemini", NULL },
    { "The anthropic principle says we observe a universe that allows observers.", NULL },
    { "라마단 기간에는 해가 진 뒤에 먹는다.", NULL },
    { "어제 드라마를 봤어요.", NULL },
    { "I'm a C programmer.", NULL },
    { "할 수 있 습니다", NULL },
  };

  check_scan_cases (guard, cases, G_N_ELEMENTS (cases));
}

/* Each way of writing a name that still reads as the name once rendered (issue 10). */
typedef struct
{
  const char *name;
  const char *text;
  const char *term;
} Obfuscation;

static const Obfuscation obfuscations[] = {
  /* The issue's list */
  { "decimal-entity", "저는 &#67;laude입니다.", "Claude" },
  { "hex-entity-hangul", "저는 엑&#xC0AC;원입니다.", "엑사원" },
  { "strong-inside", "I am Cl**au**de.", "Claude" },
  { "strong-inside-caps", "저는 EXA**ON**E입니다.", "EXAONE" },
  { "emphasis-inside", "I am An*thro*pic's assistant.", "Anthropic" },
  { "code-span-inside", "I am `Cl`aude.", "Claude" },
  { "link-inside", "I am [Cla](x)ude.", "Claude" },
  { "spaced-syllables", "저는 엑 사 원입니다.", "엑사원" },
  { "compatibility-jamo", "저는 ㅇㅔㄱㅅㅏㅇㅝㄴ입니다.", "엑사원" },
  { "small-capitals", "I am ᴄʟᴀᴜᴅᴇ.", "Claude" },
  { "dotted-letters", "I am C.l.a.u.d.e.", "Claude" },
  { "soft-hyphen-entity", "I am Cl&shy;aude.", "Claude" },
  { "right-to-left-override", "I am \u202EedualC\u202C.", "Claude" },
  { "combining-low-line", "I am C\u0332l\u0332a\u0332u\u0332d\u0332e\u0332.", "Claude" },
  /* More */
  { "strikethrough-inside", "I am Cl~~au~~de.", "Claude" },
  { "underscores-inside", "I am Cl_au_de.", "Claude" },
  { "escaped-asterisks", "I am Cl\\*au\\*de.", "Claude" },
  { "bold-whole", "I am **Claude**.", "Claude" },
  { "link-whole", "I am [Claude](https://example.com).", "Claude" },
  { "spaced-letters", "I am C l a u d e.", "Claude" },
  { "hyphenated-letters", "I'm C-l-a-u-d-e, an AI.", "Claude" },
  { "hyphenated-syllables", "저는 엑-사-원입니다.", "엑사원" },
  { "dotted-syllables", "저는 클.로.드입니다.", "클로드" },
  { "full-width", "I am \uFF23\uFF4C\uFF41\uFF55\uFF44\uFF45.", "Claude" },
  { "mathematical-bold", "I am \U0001D402\U0001D425\U0001D41A\U0001D42E\U0001D41D\U0001D41E.",
    "Claude" },
  { "circled", "I am \u24B8\u24DB\u24D0\u24E4\u24D3\u24D4.", "Claude" },
  { "zero-width-space", "I am Cl\u200Baude.", "Claude" },
  { "zero-width-joiner-entity", "I am Cl&#x200D;aude.", "Claude" },
  { "cyrillic-er", "I am G\u0440T-4.", "GPT" },
  { "zero-width-in-hangul", "저는 엑사\u200B원입니다.", "엑사원" },
  { "conjoining-jamo", "저는 \u110B\u1166\u11A8\u1109\u1161\u110B\u116F\u11AB입니다.", "엑사원" },
  { "combining-dot-below-hangul", "저는 엑\u0323사\u0323원\u0323입니다.", "엑사원" },
  { "bidi-isolate", "I am \u2066Claude\u2069.", "Claude" },
  { "signature-emphasis", "Hope this helps.\n\n— *Claude*", "Claude" },
  { "table-row", "| who | me |\n|---|---|\n| I am | Claude |", "Claude" },
};

static void
test_obfuscation (gconstpointer data)
{
  const Obfuscation *o = data;
  g_autoptr(KaIdentityGuard) guard = ka_identity_guard_new (NULL);
  g_autofree char *term = NULL;
  gboolean flagged = ka_identity_guard_scan (guard, o->text, &term);

  if (o->term == NULL)
    {
      g_assert_false (flagged);
      return;
    }
  if (!flagged)
    {
      g_autofree char *plain = ka_plain_text_from_markdown (o->text, -1);
      g_autofree char *folded = ka_text_fold (plain, -1);

      g_error ("\"%s\" (%s) was not flagged; read as \"%s\"", o->text, o->name, folded);
    }
  g_assert_cmpstr (term, ==, o->term);
}

/* What citizens read: the renderer's plain text, folded. */
static void
test_plain_text_and_fold (void)
{
  const struct
  {
    const char *markdown;
    const char *folded;
  } cases[] = {
    { "&#67;laude &amp; &#xC0AC; &shy;x", "Claude & 사 x" },
    { "**bold** *em* ~~del~~ `code`", "bold em del code" },
    { "[text](https://example.com) after", "text after (https://example.com)" },
    { "<https://example.com>", "https://example.com" },
    { "# Title\n\npara\n\n- item", "Title\npara\nitem" },
    { "그 ㅇㅔㄱㅅㅏㅇㅝㄴ", "그 엑사원" },
    { "C.l.a.u.d.e e.g. x", "Claude e.g. x" },
    { "a b and x, y, z", "a b and x, y, z" },
    { "I'm a model", "I'm a model" },
    { "\uFF21\u2122", "A" },
    { "snake_case ok", "snakecase ok" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *plain = ka_plain_text_from_markdown (cases[i].markdown, -1);
      g_autofree char *folded = ka_text_fold (plain, -1);

      g_strchomp (folded);
      g_assert_cmpstr (folded, ==, cases[i].folded);
    }
}

#define ECHO_PACK \
  "{\"format\":\"kai-arena-pack/1\",\"pack_id\":\"echo\",\"title\":{\"ko\":\"k\",\"en\":\"e\"}," \
  "\"language\":\"en\",\"created_at\":\"2026-11-29T00:00:00Z\"," \
  "\"models\":[{\"model_id\":\"m1\",\"display_name\":\"M1\"}," \
  "{\"model_id\":\"m2\",\"display_name\":\"M2\"}]," \
  "\"prompts\":[{\"prompt_id\":\"p1\",\"turns\":[\"Hello\",\"What do you think about GPT-4?\"]}," \
  "{\"prompt_id\":\"p2\",\"turns\":[\"Which AI models does Google offer?\"]}]," \
  "\"responses\":[" \
  "{\"response_id\":\"r1\",\"prompt_id\":\"p1\",\"model_id\":\"m1\"," \
  "\"turns\":[\"Hi\",\"GPT-4 is impressive.\"]}," \
  "{\"response_id\":\"r2\",\"prompt_id\":\"p1\",\"model_id\":\"m2\"," \
  "\"turns\":[\"Hi\",\"I am GPT-4, so I like it.\"]}," \
  "{\"response_id\":\"r3\",\"prompt_id\":\"p2\",\"model_id\":\"m1\"," \
  "\"turns\":[\"Google Cloud offers several AI models.\"]}," \
  "{\"response_id\":\"r4\",\"prompt_id\":\"p2\",\"model_id\":\"m2\"," \
  "\"turns\":[\"I am Xylo. Google Pixel phones use on-device models.\"]}]," \
  "\"identity_terms\":[\"Xylo\",\"google\"]}"

/* Self-identification in any turn of a thread; pack terms count as names. */
static void
test_thread_and_pack_terms (void)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (ECHO_PACK, strlen (ECHO_PACK));
  g_autoptr(GError) error = NULL;
  g_autoptr(KaPack) pack = ka_pack_new_from_bytes (bytes, &error);
  g_autoptr(KaIdentityGuard) guard = NULL;
  g_autoptr(KaIdentityGuard) plain = ka_identity_guard_new (NULL);
  const char * const extra[] = { "Xylo", NULL };
  g_autoptr(KaIdentityGuard) with_extra = ka_identity_guard_new (extra);
  g_autofree char *term = NULL;

  g_assert_no_error (error);
  guard = ka_identity_guard_new_for_pack (pack);

  g_assert_false (ka_identity_guard_check_response (guard, ka_pack_lookup_response (pack, "r1"),
                                                    &term));
  g_assert_null (term);
  /* The second turn names itself. */
  g_assert_true (ka_identity_guard_check_response (guard, ka_pack_lookup_response (pack, "r2"),
                                                   &term));
  g_assert_cmpstr (term, ==, "GPT");
  g_clear_pointer (&term, g_free);
  g_assert_false (ka_identity_guard_check_response (guard, ka_pack_lookup_response (pack, "r3"),
                                                    NULL));
  /* The pack's own term; its "google" keeps the built-in rules. */
  g_assert_true (ka_identity_guard_check_response (guard, ka_pack_lookup_response (pack, "r4"),
                                                   &term));
  g_assert_cmpstr (term, ==, "Xylo");
  g_clear_pointer (&term, g_free);

  g_assert_false (ka_identity_guard_check_response (plain, ka_pack_lookup_response (pack, "r1"),
                                                    NULL));
  g_assert_false (ka_identity_guard_scan (plain, "I am Xylo.", NULL));
  g_assert_true (ka_identity_guard_scan (with_extra, "I am xylo.", &term));
  g_assert_cmpstr (term, ==, "Xylo");
  g_assert_false (ka_identity_guard_scan (with_extra, "I am Xylophone.", NULL));
  g_assert_false (ka_identity_guard_scan (with_extra, "Xylo can answer.", NULL));
  g_assert_true (ka_identity_guard_mentions (with_extra, "Xylo can answer.", NULL));

  /* Pack terms are folded like the text; one with nothing visible matches nothing. */
  {
    const char * const odd[] = { "\u200B\u00AD", " ", "\uFF38\uFF59\uFF4C\uFF4F Bot", NULL };
    g_autoptr(KaIdentityGuard) odd_guard = ka_identity_guard_new (odd);
    g_autofree char *odd_term = NULL;

    g_assert_false (ka_identity_guard_scan (odd_guard, "Plain text, nothing to see.", NULL));
    g_assert_true (ka_identity_guard_scan (odd_guard, "I am Xylo-bot.", &odd_term));
    g_assert_cmpstr (odd_term, ==, "\uFF38\uFF59\uFF4C\uFF4F Bot");
  }

  g_assert_finalize_object (g_steal_pointer (&guard));
}

#define OWN_PACK \
  "{\"format\":\"kai-arena-pack/1\",\"pack_id\":\"own\",\"title\":{\"ko\":\"k\",\"en\":\"e\"}," \
  "\"language\":\"en\",\"created_at\":\"2026-11-29T00:00:00Z\"," \
  "\"models\":[{\"model_id\":\"gpt-4o-2024-11-20\",\"display_name\":\"gpt-4o-2024-11-20\"," \
  "\"organisation\":\"OpenAI\"}," \
  "{\"model_id\":\"claude-3.5-sonnet\",\"display_name\":\"Claude 3.5 Sonnet\"," \
  "\"organisation\":\"Anthropic\"}," \
  "{\"model_id\":\"acme-chat-7b\",\"display_name\":\"Acme Chat\",\"organisation\":\"Acme Labs\"}]," \
  "\"prompts\":[{\"prompt_id\":\"p1\",\"turns\":[\"Compare GPT-4o and Claude 3.5.\"]}," \
  "{\"prompt_id\":\"p2\",\"turns\":[\"Write a poem.\",\"Who are you?\"]}," \
  "{\"prompt_id\":\"p3\",\"turns\":[\"Write a song.\",\"Who are you?\"]}]," \
  "\"responses\":[" \
  "{\"response_id\":\"r1\",\"prompt_id\":\"p1\",\"model_id\":\"gpt-4o-2024-11-20\"," \
  "\"turns\":[\"GPT-4o is fast; Claude 3.5 writes well.\"]}," \
  "{\"response_id\":\"r2\",\"prompt_id\":\"p2\",\"model_id\":\"gpt-4o-2024-11-20\"," \
  "\"turns\":[\"A poem, in the style GPT-4o likes.\",\"A poet.\"]}," \
  "{\"response_id\":\"r3\",\"prompt_id\":\"p2\",\"model_id\":\"claude-3.5-sonnet\"," \
  "\"turns\":[\"GPT-4o could write this too.\",\"A poet.\"]}," \
  "{\"response_id\":\"r4\",\"prompt_id\":\"p3\",\"model_id\":\"claude-3.5-sonnet\"," \
  "\"turns\":[\"Roses.\",\"Just a poet who likes Claude 3.5 Sonnet.\"]}," \
  "{\"response_id\":\"r5\",\"prompt_id\":\"p2\",\"model_id\":\"acme-chat-7b\"," \
  "\"turns\":[\"Roses.\",\"I am Acme Chat, from Acme Labs.\"]}," \
  "{\"response_id\":\"r6\",\"prompt_id\":\"p3\",\"model_id\":\"gpt-4o-2024-11-20\"," \
  "\"turns\":[\"La la.\",\"A singer.\"]}," \
  "{\"response_id\":\"r7\",\"prompt_id\":\"p1\",\"model_id\":\"claude-3.5-sonnet\"," \
  "\"turns\":[\"Both are good.\"]}]}"

/* An answer that names its own model reveals it; the prompt may bring the name in. Models
 * the alias table does not know are reported, and their ID, name and organisation count. */
static void
test_own_model (void)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (OWN_PACK, strlen (OWN_PACK));
  g_autoptr(GError) error = NULL;
  g_autoptr(KaPack) pack = ka_pack_new_from_bytes (bytes, &error);
  g_autoptr(KaIdentityGuard) guard = NULL;
  g_auto(GStrv) unknown = NULL;
  g_autofree char *term = NULL;

  g_assert_no_error (error);
  guard = ka_identity_guard_new_for_pack (pack);

  /* The prompt names GPT-4o. */
  g_assert_false (ka_identity_guard_check_response (guard, ka_pack_lookup_response (pack, "r1"),
                                                    NULL));
  g_assert_true (ka_identity_guard_check_response (guard, ka_pack_lookup_response (pack, "r2"),
                                                   &term));
  g_assert_cmpstr (term, ==, "gpt 4o");
  g_clear_pointer (&term, g_free);
  /* Another model's name, topically. */
  g_assert_false (ka_identity_guard_check_response (guard, ka_pack_lookup_response (pack, "r3"),
                                                    NULL));
  /* Its own name, in the second turn. */
  g_assert_true (ka_identity_guard_check_response (guard, ka_pack_lookup_response (pack, "r4"),
                                                   &term));
  g_assert_cmpstr (term, ==, "claude 3 5");
  g_clear_pointer (&term, g_free);
  /* An unknown model's own display name and organisation. */
  g_assert_true (ka_identity_guard_check_response (guard, ka_pack_lookup_response (pack, "r5"),
                                                   &term));
  g_assert_cmpstr (term, ==, "acme");
  unknown = ka_identity_guard_get_unknown_models (guard);
  g_assert_cmpuint (g_strv_length (unknown), ==, 1);
  g_assert_cmpstr (unknown[0], ==, "acme-chat-7b");
}

static void
test_builtin_and_families (void)
{
  const char * const *terms = ka_identity_guard_get_builtin_terms ();
  const char * const required[] = {
    "OpenAI", "GPT", "ChatGPT", "오픈AI", "챗GPT", "Anthropic", "Claude", "클로드", "Google",
    "Gemini", "Gemma", "Bard", "PaLM", "구글", "제미나이", "Meta", "Llama", "라마", "Alibaba",
    "Qwen", "통의천문", "큐웬", "DeepSeek", "딥시크", "Mistral", "Naver", "HyperCLOVA", "네이버",
    "하이퍼클로바", "클로바", "Upstage", "Solar", "업스테이지", "솔라", "A.X", "에이닷", "SKT",
    "VARCO", "바르코", "엔씨", "NCSOFT", "EXAONE", "엑사원", "LG AI", NULL
  };
  g_auto(GStrv) qwen = ka_identity_terms_for_model ("qwen-2.5-72b-instruct");
  g_auto(GStrv) unknown = ka_identity_terms_for_model ("acme-7b");

  for (guint i = 0; required[i] != NULL; i++)
    if (!g_strv_contains (terms, required[i]))
      g_error ("built-in term \"%s\" is missing", required[i]);
  g_assert_true (ka_identity_guard_get_builtin_terms () == terms);
  g_assert_false (g_strv_contains (terms, "trained by"));

  g_assert_cmpstr (ka_identity_guess_organisation ("gpt-4o-2024-11-20"), ==, "OpenAI");
  g_assert_cmpstr (ka_identity_guess_organisation ("llama-3.3-70b-instruct"), ==, "Meta");
  g_assert_cmpstr (ka_identity_guess_organisation ("EXAONE-3.5-32B"), ==, "LG AI Research");
  g_assert_null (ka_identity_guess_organisation ("acme-7b"));
  g_assert_true (g_strv_contains ((const char * const *) qwen, "Qwen"));
  g_assert_true (g_strv_contains ((const char * const *) qwen, "통의천문"));
  g_assert_cmpuint (g_strv_length (unknown), ==, 0);

  /* Every family in ../shared/data and the programme's teams are known (issue 10). */
  {
    const char * const known[] = {
      /* ko-arena-hard */
      "gpt-4o-2024-11-20", "claude-3.5-sonnet", "qwen-2.5-72b-instruct", "gemma-2-27b-it",
      "llama-3.3-70b-instruct", "deepseek-v3",
      /* MT-bench */
      "alpaca-13b", "baize-v2-13b", "chatglm-6b", "claude-instant-v1", "claude-v1",
      "dolly-v2-12b", "falcon-40b-instruct", "fastchat-t5-3b", "gpt-3.5-turbo", "gpt-4",
      "gpt4all-13b-snoozy", "guanaco-33b", "guanaco-65b", "h2ogpt-oasst-open-llama-13b",
      "koala-13b", "llama-13b", "mpt-30b-chat", "mpt-30b-instruct", "mpt-7b-chat",
      "nous-hermes-13b", "oasst-sft-4-pythia-12b", "oasst-sft-7-llama-30b",
      "palm-2-chat-bison-001", "rwkv-4-raven-14b", "stablelm-tuned-alpha-7b", "tulu-30b",
      "vicuna-13b-v1.3", "vicuna-33b-v1.3", "vicuna-7b-v1.3", "wizardlm-13b", "wizardlm-30b",
      /* LogicKor */
      "yanolja/EEVE-Korean-Instruct-10.8B-v1.0", "yanolja/Bookworm-10.7B-v0.4-DPO",
      "mirlab/AkaLlama-llama3-70b-v0.1", "CohereForAI/aya-23-35B",
      "CohereForAI/c4ai-command-r-plus", "nlpai-lab/KULLM3", "NCSOFT/Llama-VARCO-8B-Instruct",
      "alpindale/WizardLM-2-8x22B", "microsoft/Phi-3-medium-4k-instruct",
      "meta-llama/Meta-Llama-3-8B-Instruct", "meta-llama/llama-2-70b-chat",
      "Qwen/Qwen2-7B-Instruct", "google/gemini_1.5_flash_001", "google/gemma-7b-it",
      "mistralai/mixtral-8x7b-instruct", "mistralai/Mistral-Nemo-Instruct-2407",
      "maywell/Synatra-7B-v0.3-dpo", "maywell/TinyWand-kiqu", "HumanF-MarkrAI/Gukbap-Gemma2-9B",
      "Bllossom/llama-3-Korean-Bllossom-70B", "allganize/Llama-3-Alpha-Ko-8B-Instruct",
      "chihoonlee10/T3Q-ko-solar-dpo-v3.0", "anthropic/claude-3-opus-20240229",
      "openai/gpt-4-turbo-2024-04-09", "THUDM/glm-4-9b-chat", "davidkim205/nox-solar-10.7b-v4",
      /* AlpacaEval and Chatbot Arena */
      "Meta-Llama-3-70B-Instruct", "Qwen2-72B-Instruct", "gemini-pro", "gpt4_1106_preview",
      "RWKV-4-Raven-14B", "oasst-pythia-12b", "palm-2", "vicuna-13b",
      /* The programme's teams, and the families the old guard lacked */
      "EXAONE-4.0-32B", "HyperCLOVAX-SEED-Think-14B", "HCX-007", "A.X-4.0", "VAETKI-20B",
      "solar-pro-2", "kanana-1.5-8b", "grok-3", "command-a-03-2025", "nova-pro-v1",
      "jamba-1.5-large", "OLMo-2-13B", "lfm-40b", "MiniMax-M1", "o3-mini", "o1", "o4-mini",
      NULL
    };

    for (guint i = 0; known[i] != NULL; i++)
      if (!ka_identity_terms_known_model (known[i]))
        g_error ("the alias table does not know %s", known[i]);
    g_assert_false (ka_identity_terms_known_model ("acme-chat-7b"));
    g_assert_cmpstr (ka_identity_guess_organisation ("NCSOFT/Llama-VARCO-8B-Instruct"), ==,
                     "NC AI");
    g_assert_cmpstr (ka_identity_guess_organisation ("grok-3"), ==, "xAI");
    g_assert_cmpstr (ka_identity_guess_organisation ("mistralai/mistral-7b-instruct-v0.1"), ==,
                     "Mistral AI");
  }

  /* Names that single a model out, and the meaningful parts of an ID. */
  {
    const struct { const char *id; const char *name; } names[] = {
      { "gpt-4o-2024-11-20", "gpt 4o" }, { "claude-3.5-sonnet", "claude 3 5" },
      { "qwen-2.5-72b-instruct", "qwen 2 5" }, { "deepseek-v3", "deepseek v3" },
      { "Qwen/Qwen2-72B-Instruct", "qwen 2" }, { "meta-llama/Meta-Llama-3-8B-Instruct", "llama 3" },
      { "llama-13b", NULL }, { "mistralai/mistral-7b-instruct-v0.2", NULL },
    };
    g_auto(GStrv) parts = ka_identity_terms_model_parts ("anthropic/claude-3-5-sonnet-20240620");

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_auto(GStrv) got = ka_identity_terms_model_names (names[i].id);

        g_assert_cmpstr (got[0], ==, names[i].name);
      }
    g_assert_true (g_strv_contains ((const char * const *) parts, "anthropic"));
    g_assert_true (g_strv_contains ((const char * const *) parts, "claude"));
    g_assert_false (g_strv_contains ((const char * const *) parts, "sonnet"));
    g_assert_cmpuint (g_strv_length (parts), ==, 2);
  }
}

/* The hand-labelled set (tests/data/identity-labels): every self-identification caught, and
 * precision at least the measured 100 % less a margin for the one or two misjudgements a
 * change to the rules may bring (see docs/pack-format.md). */
static gboolean
guard_func (const KaLabel *label,
            gpointer       user_data)
{
  return ka_identity_guard_scan_for_model (user_data, label->text, label->model_id,
                                           label->prompt, NULL);
}

static void
test_labelled (void)
{
  g_autoptr(KaLabelSet) set = ka_label_set_load ();
  g_autoptr(KaIdentityGuard) guard = ka_identity_guard_new (NULL);
  g_autoptr(GPtrArray) misses = g_ptr_array_new ();
  KaLabelScore score;
  double precision;

  if (set->skipped->len > 0)
    g_test_message ("labelled set: not read:%s", set->skipped->str);
  ka_label_set_score (set, NULL, guard_func, guard, &score, misses);
  precision = 100.0 * score.tp / MAX (1, score.tp + score.fp);
  g_test_message ("labelled set: %u sentences, %u self-identifications; flagged %u "
                  "(TP %u, FP %u, FN %u): precision %.2f %%, recall %.2f %%",
                  set->labels->len, score.tp + score.fn, score.tp + score.fp, score.tp,
                  score.fp, score.fn, precision, 100.0 * score.tp / MAX (1, score.tp + score.fn));
  for (guint i = 0; i < misses->len; i++)
    {
      const KaLabel *l = g_ptr_array_index (misses, i);

      g_test_message ("missed (%s, %s): %s", l->source, l->model_id, l->text);
    }
  g_assert_cmpuint (score.tp + score.fn, >=, 10);   /* MT-bench's alone */
  g_assert_cmpuint (score.fn, ==, 0);
  g_assert_cmpfloat (precision, >=, 95.0);
}

static double
measure (const char *label,
         KaPack     *pack)
{
  g_autoptr(KaIdentityGuard) guard = ka_identity_guard_new_for_pack (pack);
  g_autoptr(GHashTable) by_term = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GString) summary = g_string_new (NULL);
  guint n = ka_pack_get_n_responses (pack);
  guint flagged = 0;
  GHashTableIter iter;
  gpointer key, value;
  double rate;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *term = NULL;

      if (ka_identity_guard_check_response (guard, ka_pack_get_response (pack, i), &term))
        {
          guint count = GPOINTER_TO_UINT (g_hash_table_lookup (by_term, term));

          g_hash_table_insert (by_term, g_steal_pointer (&term), GUINT_TO_POINTER (count + 1));
          flagged++;
        }
    }

  g_hash_table_iter_init (&iter, by_term);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_string_append_printf (summary, " %s×%u", (const char *) key, GPOINTER_TO_UINT (value));

  rate = 100.0 * flagged / n;
  g_test_message ("identity guard, %s: %u of %u responses flagged (%.2f %%);%s",
                  label, flagged, n, rate, summary->str);
  return rate;
}

/* Flag rates over the real sources. The bounds come from reading every flagged answer
 * (docs/pack-format.md): a guard that flags nothing or flags plain text fails here. */
static void
test_rates (void)
{
  g_autoptr(KaPack) ko = build_test_data (KA_PACK_SOURCE_KO_ARENA_HARD, "ko_arena_hard");
  g_autoptr(KaPack) mt = build_test_data (KA_PACK_SOURCE_MT_BENCH, "mt_bench");
  const char *shared = g_getenv ("KA_SHARED_DATA");
  g_autofree char *logickor = shared != NULL ? g_build_filename (shared, "logickor", NULL) : NULL;
  double rate;

  /* No ko-arena-hard answer identifies itself (all 153 sentences that name a vendor were
   * read: tests/data/identity-labels/ko_arena_hard.jsonl). */
  rate = measure ("ko-arena-hard (600 answers, 6 models)", ko);
  g_assert_cmpfloat (rate, ==, 0.0);

  /* Exactly the eight that do: claude-v1/claude-instant-v1 ×5, PaLM 2's boilerplate ×2,
   * koala-13b ×1. */
  rate = measure ("MT-bench (2480 answers, 31 models)", mt);
  g_assert_cmpfloat (rate, ==, 100.0 * 8 / 2480);

  if (logickor != NULL && g_file_test (logickor, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(KaPack) lk = build (KA_PACK_SOURCE_LOGICKOR, logickor);

      /* No LogicKor answer identifies itself (checked by reading all of them). */
      rate = measure ("LogicKor (1596 answers, 38 models)", lk);
      g_assert_cmpfloat (rate, ==, 0.0);
    }
  else
    g_test_message ("LogicKor not measured: KA_SHARED_DATA has no logickor/ (it may not be "
                    "redistributed)");
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ka/identity/scan/self", test_scan_self);
  g_test_add_func ("/ka/identity/scan/topical", test_scan_topical);
  for (guint i = 0; i < G_N_ELEMENTS (obfuscations); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ka/identity/obfuscation/%s", obfuscations[i].name);

      g_test_add_data_func (path, &obfuscations[i], test_obfuscation);
    }
  g_test_add_func ("/ka/identity/plain-text-and-fold", test_plain_text_and_fold);
  g_test_add_func ("/ka/identity/thread-and-pack-terms", test_thread_and_pack_terms);
  g_test_add_func ("/ka/identity/own-model", test_own_model);
  g_test_add_func ("/ka/identity/labelled", test_labelled);
  g_test_add_func ("/ka/identity/builtin-and-families", test_builtin_and_families);
  g_test_add_func ("/ka/identity/real/mt-bench", test_real_mt_bench);
  g_test_add_func ("/ka/identity/real/ko-arena-hard", test_real_ko_arena_hard);
  g_test_add_func ("/ka/identity/rates", test_rates);

  return g_test_run ();
}
