/* test-identity.c: the identity-leak guard on real model outputs and on edge cases
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include "ka-identity.h"
#include "ka-pack-builder.h"
#include "ka-pack.h"

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
    { "100", "claude-instant-v1", "Anthropic",
      "I am Claude, an AI assistant created by Anthropic." },
    { "102", "claude-v1", "Anthropic", "I am an AI assistant created by Anthropic" },
    { "102", "claude-instant-v1", "Anthropic", "I am Claude, an AI assistant created by …" },
    { "94", "palm-2-chat-bison-001",
      "If you believe this is an error, please send us your feedback",
      "I'm only a language model. If you believe this is an error, please send us your …" },
    { "110", "palm-2-chat-bison-001",
      "If you believe this is an error, please send us your feedback", "the same refusal" },
    { "102", "koala-13b", "trained by",
      "As a large language model trained by researchers at UC Berkeley, …" },
    { "98", "guanaco-65b", "OpenAI", "GPT-4 is an impressive language model developed by "
      "OpenAI" },
    { "98", "tulu-30b", "OpenAI", "I'm impressed with what the folks at OpenAI have …" },
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
    { "e63f97d5be634a96b5cf211ba0ba8017", "gpt-4o-2024-11-20", "OpenAI",
      "**GPT 기반 언어 모델**: OpenAI, Google, 또는 자체 개발 모델 활용." },
    { "e63f97d5be634a96b5cf211ba0ba8017", "deepseek-v3", "OpenAI",
      "**AI 플랫폼**: OpenAI GPT, Google Dialogflow, Microsoft Azure Bot Service 등." },
    { "0df741e684e4408694745a377b3b8e9d", "qwen-2.5-72b-instruct", "GPT",
      "BERT, GPT 등의 사전 훈련 모델" },
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
test_scan (void)
{
  g_autoptr(KaIdentityGuard) guard = ka_identity_guard_new (NULL);
  const ScanCase cases[] = {
    /* Self-identification, English and Korean. */
    { "I am ChatGPT, a model by OpenAI.", "ChatGPT" },
    { "As a language model developed by Google, I cannot browse the web.", "Google" },
    { "I'm Claude, made by Anthropic.", "Anthropic" },
    { "저는 Claude입니다.", "Claude" },
    { "저는 클로드입니다.", "클로드" },
    { "As an AI assistant created by ExampleCorp, I cannot say.", "created by" },
    { "저는 네이버에서 만든 AI입니다.", "네이버" },
    /* Korean names with particles and versions. */
    { "라마는 오픈소스 언어 모델이다.", "라마" },
    { "라마3를 써 보세요.", "라마" },
    { "Llama 3 runs locally.", "Llama" },
    { "엑사원은 LG AI연구원이 만들었다.", "엑사원" },
    { "하이퍼클로바X로 답했습니다.", "하이퍼클로바" },
    { "클로바X에게 물어봐요.", "클로바" },
    { "업스테이지의 솔라 프로", "업스테이지" },
    { "에이닷에게 물어봐.", "에이닷" },
    { "바르코(VARCO) 모델", "VARCO" },
    { "제미나이를 쓰세요.", "제미나이" },
    { "딥시크가 공개했다.", "딥시크" },
    { "Qwen2.5-72B-Instruct", "Qwen" },
    { "通义千问", "通义千问" },
    { "GPT4를 사용했습니다.", "GPT" },
    { "Powered by Solar Pro 2.", "Solar Pro" },
    { "Meta AI와 대화", "Meta AI" },
    { "A.X 4.0 모델", "A.X" },
    { "Phi-3 is small.", "Phi" },
    { "from openai import OpenAI", "OpenAI" },
    /* Names that still read as names: invisible characters inside, full-width forms,
     * Cyrillic/Greek look-alikes, spaces or hyphens between the parts. */
    { "Cl\u00ADaude can help you.", "Claude" },
    { "Anthr\u200Dopic released a new model.", "Anthropic" },
    { "Anthr\u200Copic", "Anthropic" },
    { "Deep\u200BSeek-V3", "DeepSeek" },
    { "\uFEFFEXA\u2060ONE 3.5", "EXAONE" },
    { "Qw\u2063en 2.5", "Qwen" },
    { "Gem\uFE0Fini Pro", "Gemini" },
    { "\uFF2F\uFF50\uFF45\uFF4E\uFF21\uFF29\uC758 \uBAA8\uB378", "OpenAI" },   /* ＯｐｅｎＡＩ의 모델 */
    { "\uFF27\uFF30\uFF34-4", "GPT" },                        /* ＧＰＴ-4 */
    { "G\u0440T-4", "GPT" },                                    /* Cyrillic er */
    { "Open\u0410I", "OpenAI" },                                /* Cyrillic A */
    { "\u0395\u03A7\u0391\u039F\u039D\u0395", "EXAONE" },   /* Greek ΕΧΑΟΝΕ */
    { "\u0420aLM 2", "PaLM" },                                  /* Cyrillic Er, exact case */
    { "\uC624\uD508 AI\uAC00 \uACF5\uAC1C\uD588\uB2E4.", "\uC624\uD508AI" },   /* 오픈 AI가 */
    { "open ai released it.", "OpenAI" },
    { "Open-AI", "OpenAI" },
    { "Deep Seek", "DeepSeek" },
    { "deep-seek coder", "DeepSeek" },
    { "\uB525 \uC2DC\uD06C\uAC00 \uACF5\uAC1C\uD588\uB2E4.", "\uB525\uC2DC\uD06C" },   /* 딥 시크가 */
    { "Hyper CLOVA X", "HyperCLOVA" },
    { "ChatGPT\u2122 Plus", "ChatGPT" },
    { "\uCC57\u00A0GPT", "\uCC57GPT" },                         /* 챗 GPT, no-break space */
    /* ... and what only looks like them. */
    { "The open-air market was busy.", NULL },
    { "\uC624\uD508 \uC18C\uC2A4 AI \uBAA8\uB378", NULL },   /* 오픈 소스 AI 모델 */
    { "\u041C\u0435\u0442\u0430\u0434\u0430\u043D\u043D\u044B\u0435 of AI models",
      NULL },                                                   /* Russian Метаданные */
    { "\u0394\u03B5\u03B9\u03C0\u03BD\u03BF AI", NULL },     /* Greek Δειπνο */
    { "Deep seeking, of the deep-sea kind.", NULL },
    { "Claude\u00AD Monet", NULL },
    /* Ordinary text: a name inside another word, an everyday word, a person, code. */
    { "어제 드라마를 봤어요.", NULL },
    { "AI가 나오는 드라마를 봤다.", NULL },
    { "AI 모델의 메타데이터를 저장한다.", NULL },
    { "AI 챗봇이 구글링을 대신한다.", NULL },
    { "라마단 기간에는 해가 진 뒤에 먹는다.", NULL },
    { "달라이 라마는 AI에 대해 말했다.", NULL },
    { "메타데이터를 저장합니다.", NULL },
    { "메타버스 플랫폼이 뜬다.", NULL },
    { "HTML 메타 태그를 넣으세요.", NULL },
    { "구글링해 보세요.", NULL },
    { "Go는 구글에서 개발한 프로그래밍 언어입니다.", NULL },
    { "Store the metadata in the header.", NULL },
    { "A meta-analysis of 40 studies found no effect.", NULL },
    { "<meta charset=\"UTF-8\">", NULL },
    { "soup.find('meta', property='og:image')", NULL },
    { "The napalm strikes.", NULL },
    { "She sat under a palm tree.", NULL },
    { "Solar panels convert sunlight into electricity.", NULL },
    { "com.google.android.material.appbar.MaterialToolbar", NULL },
    { "import google.protobuf", NULL },
    { "Visit google.com for more.", NULL },
    { "Google Pixel 8 has a good camera.", NULL },
    { "\"Water Lilies\" by Claude Monet", NULL },
    { "Jean-Claude Van Damme kicks.", NULL },
    { "the Bard of Avon", NULL },
    { "Rogue/Paladin/Bard multiclass", NULL },
    { "Gemini constellation", NULL },
    { "The Maltese Falcon is a noir novel.", NULL },
    { "Llama wool is soft.", NULL },
    { "The anthropic principle says we observe a universe that allows observers.", NULL },
    { "The mistral wind blows in Provence.", NULL },
    { "Press Command R to reload.", NULL },
    { "큐원 설탕 한 컵", NULL },
    { "The phi coefficient is 0.3.", NULL },
    { "I'm only a language model.", NULL },
    { "As an AI language model, I don't have opinions.", NULL },
    { "As a result of the decisions made by the board, prices rose.", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *term = NULL;
      gboolean flagged = ka_identity_guard_scan (guard, cases[i].text, &term);

      if (flagged != (cases[i].term != NULL) || g_strcmp0 (term, cases[i].term) != 0)
        g_error ("\"%s\": expected %s, got %s", cases[i].text,
                 cases[i].term != NULL ? cases[i].term : "(not flagged)",
                 term != NULL ? term : "(not flagged)");
    }

  /* matched_term is optional. */
  g_assert_true (ka_identity_guard_scan (guard, "EXAONE 3.5", NULL));
  g_assert_false (ka_identity_guard_scan (guard, "", NULL));
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
  "\"turns\":[\"Xylo can answer: Google Pixel phones use on-device models.\"]}]," \
  "\"identity_terms\":[\"Xylo\",\"google\"]}"

/* A name the prompt brings in counts only as a self-description; pack terms are added. */
static void
test_prompt_echo_and_pack_terms (void)
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
  g_assert_true (ka_identity_guard_check_response (guard, ka_pack_lookup_response (pack, "r2"),
                                                   &term));
  g_assert_cmpstr (term, ==, "GPT");
  g_clear_pointer (&term, g_free);
  g_assert_false (ka_identity_guard_check_response (guard, ka_pack_lookup_response (pack, "r3"),
                                                    NULL));
  /* The pack's own term; its "google" keeps the built-in context rule. */
  g_assert_true (ka_identity_guard_check_response (guard, ka_pack_lookup_response (pack, "r4"),
                                                   &term));
  g_assert_cmpstr (term, ==, "Xylo");
  g_clear_pointer (&term, g_free);

  /* Without the pack there is no prompt to excuse a name. */
  g_assert_true (ka_identity_guard_check_response (plain, ka_pack_lookup_response (pack, "r1"),
                                                   NULL));
  g_assert_true (ka_identity_guard_check_response (plain, ka_pack_lookup_response (pack, "r3"),
                                                   NULL));
  g_assert_false (ka_identity_guard_scan (plain, "Xylo can answer.", NULL));
  g_assert_true (ka_identity_guard_scan (with_extra, "xylo can answer.", &term));
  g_assert_cmpstr (term, ==, "Xylo");
  g_assert_false (ka_identity_guard_scan (with_extra, "Xylophone", NULL));

  /* Pack terms are normalised like the text; one with nothing visible matches nothing. */
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

  rate = measure ("ko-arena-hard (600 answers, 6 models)", ko);
  g_assert_cmpfloat (rate, >=, 0.5);
  g_assert_cmpfloat (rate, <=, 3.0);

  rate = measure ("MT-bench (2480 answers, 31 models)", mt);
  g_assert_cmpfloat (rate, >=, 0.2);
  g_assert_cmpfloat (rate, <=, 2.0);

  if (logickor != NULL && g_file_test (logickor, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(KaPack) lk = build (KA_PACK_SOURCE_LOGICKOR, logickor);

      /* No LogicKor answer names a model or vendor (checked by reading all of them). */
      rate = measure ("LogicKor (1596 answers, 38 models)", lk);
      g_assert_cmpfloat (rate, <=, 0.5);
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

  g_test_add_func ("/ka/identity/scan", test_scan);
  g_test_add_func ("/ka/identity/prompt-echo-and-pack-terms", test_prompt_echo_and_pack_terms);
  g_test_add_func ("/ka/identity/builtin-and-families", test_builtin_and_families);
  g_test_add_func ("/ka/identity/real/mt-bench", test_real_mt_bench);
  g_test_add_func ("/ka/identity/real/ko-arena-hard", test_real_ko_arena_hard);
  g_test_add_func ("/ka/identity/rates", test_rates);

  return g_test_run ();
}
