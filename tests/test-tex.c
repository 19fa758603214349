/* test-tex.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-tex"

#include "config.h"

#include <string.h>

#include "ka-tex.h"
#include "ka-tex-corpus.h"

/* ---- ka_tex_to_text over the constructs ---------------------------------------------- */

static const struct
{
  const char *tex;
  const char *text;
} readings[] = {
  /* scripts */
  { "K_{sp} = [Ag^+][Cl^-]", "Kₛₚ = [Ag⁺][Cl⁻]" },
  { "x^2 + y^2 = r^2", "x² + y² = r²" },
  { "H_2O", "H₂O" },
  { "x_{BR}", "x_BR" },
  { "e^{\\lambda t}", "e^λt" },
  { "x^{2^n}", "x^(2ⁿ)" },
  { "a_{i+1}", "aᵢ₊₁" },
  { "x_i^2", "xᵢ²" },
  { "f'(x) = -2x", "f′(x) = −2x" },
  { "f''(x)", "f′′(x)" },
  { "Import_{BR}", "Import_BR" },
  { "10^{-3}", "10⁻³" },
  /* fractions and roots */
  { "\\frac{a}{b}", "a/b" },
  { "\\frac{a+1}{b}", "(a + 1)/b" },
  { "\\frac12", "1/2" },
  { "\\dfrac{\\epsilon}{M}", "ϵ/M" },
  { "\\frac{x^n}{n!}", "xⁿ/n!" },
  { "\\sqrt{x}", "√x" },
  { "\\sqrt{x+1}", "√(x + 1)" },
  { "\\sqrt[3]{x}", "∛x" },
  { "\\sqrt[n]{x}", "ⁿ√x" },
  { "2 \\sqrt{2}", "2√2" },
  { "\\binom{n}{k}", "(n choose k)" },
  /* Greek, operators, relations */
  { "\\alpha + \\beta \\leq \\Gamma", "α + β ≤ Γ" },
  { "\\Delta G = -RT \\ln K", "ΔG = −RT ln K" },
  { "a \\times b \\cdot c \\pm d", "a × b ⋅ c ± d" },
  { "x \\neq y \\approx z \\geq 0", "x ≠ y ≈ z ≥ 0" },
  { "P \\rightarrow Q", "P → Q" },
  { "\\forall x (\\neg P(x) \\lor Q(x))", "∀x(¬P(x) ∨ Q(x))" },
  { "\\partial f / \\partial x", "∂f/∂x" },
  { "\\nabla \\cdot E", "∇ ⋅ E" },
  { "\\infty", "∞" },
  { "nA \\rightleftharpoons A_n", "nA ⇌ Aₙ" },
  { "\\varepsilon \\epsilon \\phi \\varphi", "εϵϕφ" },
  { "\\not= \\not\\in", "≠ ∉" },
  { "-1 - 3 = -4", "−1 − 3 = −4" },
  /* text, fonts, spaces */
  { "\\text{total} = 5 \\, \\text{MB/s}", "total = 5 MB/s" },
  { "20,000 \\, \\text{MB/s}", "20,000 MB/s" },
  { "f(x, y)", "f(x, y)" },
  { "\\text{자산의 변화} = -\\$20,000", "자산의 변화 = −$20,000" },
  { "\\mathbf{v} \\cdot \\mathbb{R}", "v ⋅ ℝ" },
  { "\\mathbb{R} \\setminus \\mathbb{Q}", "ℝ ∖ ℚ" },
  { "\\mathrm{d}x", "dx" },
  { "q = x, \\quad p = y", "q = x, p = y" },
  { "\\operatorname{argmax} f", "argmax f" },
  /* large operators and limits */
  { "\\sum_{n=0}^{\\infty} \\frac{x^n}{n!}", "∑ₙ₌₀^∞ xⁿ/n!" },
  { "\\lim_{x \\to 0} \\frac{\\sin x}{x} = 1", "lim_(x → 0) (sin x)/x = 1" },
  { "\\int_0^1 x^2 \\, dx", "∫₀¹ x² dx" },
  { "\\prod_{i=1}^n a_i", "∏ᵢ₌₁ⁿ aᵢ" },
  /* delimiters */
  { "\\left( \\frac{1}{2} \\right)", "(1/2)" },
  { "\\left. \\frac{a}{b} \\right|_{x=0}", "a/b|ₓ₌₀" },
  { "\\left\\{ x \\right\\}", "{x}" },
  { "\\langle a, b \\rangle", "⟨a, b⟩" },
  { "\\big( x \\big)", "(x)" },
  /* matrices and alignments */
  { "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "(1, 2; 3, 4)" },
  { "\\begin{bmatrix} a & b \\end{bmatrix}", "[a, b]" },
  { "\\begin{vmatrix} a & b \\\\ c & d \\end{vmatrix}", "|a, b; c, d|" },
  { "\\begin{cases} x & x \\ge 0 \\\\ -x & \\text{otherwise} \\end{cases}",
    "{x, x ≥ 0; −x, otherwise" },
  { "\\begin{aligned} x &= 1 \\\\ y &= 2 \\end{aligned}", "x = 1; y = 2" },
  { "\\begin{array}{cc} 1 & 2 \\end{array}", "1, 2" },
  { "a \\\\ b", "a; b" },
  { "x &= 1 \\\\ y &= 2", "x = 1; y = 2" },
  /* accents */
  { "\\hat{x} + \\vec{v}", "x̂ + v⃗" },
  { "\\overline{AB}", "A̅B̅" },
  { "\\dot{x} + \\ddot{x}", "ẋ + ẍ" },
  { "\\tilde{n}", "ñ" },
  { "\\bar{x}", "x̄" },
  /* the rest */
  { "\\boxed{5}", "5" },
  { "a \\pmod{n}", "a (mod n)" },
  { "\\foo{bar} + 1", "\\foo{bar} + 1" },
  { "\\ce{H2O}", "\\ce{H2O}" },
  { "\\foo", "\\foo" },
  { "x \\label{eq} = 1", "x = 1" },
  { "\\color{red}{x} + \\textcolor{blue}{y}", "x + y" },
  { "Cut to a shot", "Cut to a shot" },
  { "\\lambda t", "λt" },
  { "\\Omega^2 q + x y", "Ω²q + xy" },
  { "", "" },
  { "   ", "" },
  /* refused: shown as the source */
  { "x^^^", "x^^^" },
  { "{{{", "{{{" },
  { "}", "}" },
  { "\\left( x", "\\left( x" },
  { "x \\right)", "x \\right)" },
  { "\\begin{pmatrix} 1", "\\begin{pmatrix} 1" },
  { "\\end{matrix}", "\\end{matrix}" },
  { "\\frac{1}", "\\frac{1}" },
  { "\\sqrt[3", "\\sqrt[3" },
  { "\\", "\\" },
  { "x^", "x^" },
};

static void
test_readings (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (readings); i++)
    {
      g_autofree char *text = ka_tex_to_text (readings[i].tex, -1);

      if (g_strcmp0 (text, readings[i].text) != 0)
        g_test_message ("%s → «%s», expected «%s»", readings[i].tex, text, readings[i].text);
      g_assert_cmpstr (text, ==, readings[i].text);
    }
}

static void
test_length_argument (void)
{
  g_autofree char *text = ka_tex_to_text ("x^2 and more", 3);
  g_autofree char *empty = ka_tex_to_text (NULL, 0);

  g_assert_cmpstr (text, ==, "x²");
  g_assert_cmpstr (empty, ==, "");
}

/* ---- the tree --------------------------------------------------------------------------- */

static const KaTexNode *
only_child (const KaTexNode *row)
{
  g_assert_cmpint (row->kind, ==, KA_TEX_ROW);
  g_assert_cmpuint (ka_tex_node_n_children (row), ==, 1);
  return ka_tex_node_child (row, 0);
}

static void
test_tree (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaTexNode) frac = ka_tex_parse ("\\frac{a}{b+c}", -1, &error);
  g_autoptr(KaTexNode) scripts = NULL;
  g_autoptr(KaTexNode) sum = NULL;
  g_autoptr(KaTexNode) matrix = NULL;
  g_autoptr(KaTexNode) root = NULL;
  const KaTexNode *node;

  g_assert_no_error (error);
  node = only_child (frac);
  g_assert_cmpint (node->kind, ==, KA_TEX_FRAC);
  g_assert_cmpuint (ka_tex_node_n_children (node->body), ==, 1);
  g_assert_cmpuint (ka_tex_node_n_children (node->sub), ==, 3);

  scripts = ka_tex_parse ("x_1^2", -1, &error);
  g_assert_no_error (error);
  node = only_child (scripts);
  g_assert_cmpint (node->kind, ==, KA_TEX_SCRIPTS);
  g_assert_cmpstr (node->body->text, ==, "x");
  g_assert_cmpstr (node->sub->text, ==, "1");
  g_assert_cmpstr (node->sup->text, ==, "2");

  sum = ka_tex_parse ("\\sum_{i} \\int_0^1", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ka_tex_node_child (sum, 0)->limits, ==, KA_TEX_LIMITS_DISPLAY);
  g_assert_cmpint (ka_tex_node_child (sum, 1)->limits, ==, KA_TEX_LIMITS_SIDE);
  g_assert_cmpint (ka_tex_node_child (sum, 0)->cls, ==, KA_TEX_CLASS_OP);

  matrix = ka_tex_parse ("\\begin{bmatrix} 1 & 2 & 3 \\\\ 4 & 5 & 6 \\end{bmatrix}", -1, &error);
  g_assert_no_error (error);
  node = only_child (matrix);
  g_assert_cmpint (node->kind, ==, KA_TEX_DELIMITED);
  g_assert_cmpstr (node->text, ==, "[");
  g_assert_cmpint (node->body->kind, ==, KA_TEX_MATRIX);
  g_assert_cmpuint (ka_tex_node_n_children (node->body), ==, 2);
  g_assert_cmpuint (ka_tex_node_n_children (ka_tex_node_child (node->body, 0)), ==, 3);

  root = ka_tex_parse ("\\mathbb{R} \\text{ if } \\foo", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ka_tex_node_child (ka_tex_node_child (root, 0), 0)->text, ==, "ℝ");
  g_assert_cmpint (ka_tex_node_child (root, 1)->kind, ==, KA_TEX_TEXT);
  g_assert_cmpstr (ka_tex_node_child (root, 1)->text, ==, " if ");
  g_assert_cmpint (ka_tex_node_child (root, 2)->kind, ==, KA_TEX_UNKNOWN);
  g_assert_cmpuint (ka_tex_count_unknown (root), ==, 1);
}

static void
test_errors (void)
{
  static const struct { const char *tex; int code; } cases[] = {
    { "{x", KA_TEX_ERROR_UNBALANCED },
    { "x}", KA_TEX_ERROR_UNBALANCED },
    { "\\left( x", KA_TEX_ERROR_UNBALANCED },
    { "\\right)", KA_TEX_ERROR_UNBALANCED },
    { "\\begin{matrix} x", KA_TEX_ERROR_UNBALANCED },
    { "x^", KA_TEX_ERROR_SYNTAX },
    { "\\frac{a}", KA_TEX_ERROR_SYNTAX },
    { "\\left x \\right)", KA_TEX_ERROR_SYNTAX },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KaTexNode) node = ka_tex_parse (cases[i].tex, -1, &error);

      g_assert_null (node);
      g_assert_error (error, KA_TEX_ERROR, cases[i].code);
    }
}

/* ---- hostile input ------------------------------------------------------------------------ */

static char *
repeat (const char *unit,
        guint       times,
        const char *tail)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < times; i++)
    g_string_append (out, unit);
  if (tail != NULL)
    g_string_append (out, tail);
  return g_string_free (out, FALSE);
}

static void
check_too_deep (const char *tex)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaTexNode) node = NULL;

  g_assert_cmpuint (strlen (tex), <=, KA_TEX_MAX_LENGTH);
  node = ka_tex_parse (tex, -1, &error);
  g_assert_null (node);
  g_assert_error (error, KA_TEX_ERROR, KA_TEX_ERROR_TOO_DEEP);
}

static void
check_hostile (const char *tex,
               gssize      length,
               gboolean    must_fail)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaTexNode) node = ka_tex_parse (tex, length, &error);
  g_autofree char *text = ka_tex_to_text (tex, length);

  g_assert_true (g_utf8_validate (text, -1, NULL));
  if (must_fail)
    {
      g_assert_null (node);
      g_assert_nonnull (error);
    }
  if (node != NULL)
    g_assert_cmpuint (ka_tex_node_depth (node), <=, KA_TEX_MAX_DEPTH + 1);
}

static void
test_hostile (void)
{
  g_autofree char *deep_braces = repeat ("{", 100000, NULL);
  g_autofree char *deep_balanced = NULL;
  g_autofree char *deep_scripts = repeat ("x^{", 100000, NULL);
  g_autofree char *deep_frac = repeat ("\\frac{", 100000, NULL);
  g_autofree char *deep_sqrt = repeat ("\\sqrt", 100000, "x");
  g_autofree char *deep_left = repeat ("\\left(", 100000, NULL);
  g_autofree char *deep_begin = repeat ("\\begin{matrix}", 100000, NULL);
  g_autofree char *chained = repeat ("x^", 100000, "y");
  g_autofree char *huge = repeat ("x+", KA_TEX_MAX_LENGTH, NULL);
  g_autofree char *many_nodes = repeat ("x", KA_TEX_MAX_LENGTH - 1, NULL);
  g_autofree char *many_rows = repeat ("a&b\\\\", 5000, NULL);
  g_autofree char *primes = repeat ("'", 5000, NULL);
  static const char *small[] = {
    "\\", "\\\\", "^", "_", "^^^", "x^^^", "__", "x_^", "&", "&&&", "}{", "{}", "{{}}",
    "\\left", "\\right", "\\left.", "\\left.\\right.", "\\left(\\right", "\\begin", "\\begin{",
    "\\begin{}", "\\end", "\\end{", "\\frac", "\\frac{", "\\sqrt[", "\\sqrt[]", "\\sqrt[]{}",
    "\\text", "\\text{", "\\text{\\}", "\\mathbb", "\\mathbb{", "\\big", "\\big\\foo",
    "\\not", "\\not\\not", "\\overset{a}", "\\pmod", "\\color", "\\tag{", "\\label",
    "\\operatorname", "\\operatorname*{", "$", "$$", "\\(", "\\)", "\\[", "\\]", "%", "#",
    "~", "'", "''x", "\\begin{array}{", "\\begin{cases} a & b \\\\", "a \\\\[2pt] b",
    "\\\\\\\\\\\\", "\\left(\\middle|\\right)", "\\middle", "\\xrightarrow", "\\xrightarrow[",
    "<script>alert(1)</script>", "<b>bold</b> &amp; \\text{<i>x</i>}",
    "\xed\x9e\xac\xed", "\xff\xfe\\frac{\xc3}{\x80}", "\\\xc3\xa9", "\\text{\xe2\x82}",
  };

  deep_balanced = g_strconcat (deep_braces, "x", NULL);
  {
    GString *closing = g_string_new (deep_balanced);

    for (guint i = 0; i < 100000; i++)
      g_string_append_c (closing, '}');
    g_free (deep_balanced);
    deep_balanced = g_string_free (closing, FALSE);
  }

  for (guint i = 0; i < G_N_ELEMENTS (small); i++)
    check_hostile (small[i], -1, FALSE);

  check_hostile (deep_braces, -1, TRUE);
  check_hostile (deep_balanced, -1, TRUE);
  check_hostile (deep_scripts, -1, TRUE);
  check_hostile (deep_frac, -1, TRUE);
  check_hostile (deep_sqrt, -1, TRUE);
  check_hostile (deep_left, -1, TRUE);
  check_hostile (deep_begin, -1, TRUE);
  check_hostile (huge, -1, TRUE);
  check_hostile (chained, -1, FALSE);
  check_hostile (many_nodes, -1, FALSE);
  check_hostile (many_rows, -1, FALSE);
  check_hostile (primes, -1, FALSE);

  /* Deep nesting inside the length limit is stopped by the depth limit, not the stack. */
  {
    g_autofree char *braces = repeat ("{", 60000, NULL);
    g_autofree char *scripts = repeat ("x^{", 20000, NULL);
    g_autofree char *fracs = repeat ("\\frac{", 10000, NULL);
    g_autofree char *roots = repeat ("\\sqrt", 10000, "x");
    g_autofree char *lefts = repeat ("\\left(", 10000, NULL);
    g_autofree char *envs = repeat ("\\begin{matrix}", 4000, NULL);
    g_autofree char *accents = repeat ("\\hat", 10000, "x");

    check_too_deep (braces);
    check_too_deep (scripts);
    check_too_deep (fracs);
    check_too_deep (roots);
    check_too_deep (lefts);
    check_too_deep (envs);
    check_too_deep (accents);
  }

  /* An embedded NUL ends the formula; a length cuts a character in half. */
  check_hostile ("x\0^{", 4, FALSE);
  check_hostile ("\xce\xb1", 1, FALSE);

  /* A formula inside the limits still parses: 12 nested fractions. */
  {
    g_autofree char *open = repeat ("\\frac{1}{1+", 12, "x");
    g_autofree char *close = repeat ("}", 12, NULL);
    g_autofree char *nested = g_strconcat (open, close, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(KaTexNode) node = ka_tex_parse (nested, -1, &error);

    g_assert_no_error (error);
    g_assert_nonnull (node);
  }
}

/* ---- the real answers ------------------------------------------------------------------ */

static void
test_real_answers (void)
{
  guint n_answers = 0;
  g_autoptr(GPtrArray) formulas = ka_tex_corpus_load (&n_answers);
  guint parsed = 0, with_unknown = 0;
  gint64 start = g_get_monotonic_time ();

  if (formulas->len == 0)
    {
      g_test_skip ("No answers with formulas found in tests/data");
      return;
    }

  for (guint i = 0; i < formulas->len; i++)
    {
      const char *tex = g_ptr_array_index (formulas, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(KaTexNode) node = ka_tex_parse (tex, -1, &error);
      g_autofree char *text = ka_tex_to_text (tex, -1);

      g_assert_true (g_utf8_validate (text, -1, NULL));
      if (node == NULL)
        {
          g_test_message ("does not parse (%s): %s", error->message, tex);
          continue;
        }
      parsed++;
      if (ka_tex_count_unknown (node) > 0)
        {
          with_unknown++;
          g_test_message ("unknown command kept literally: %s → %s", tex, text);
        }
      /* Nothing of a parsed formula is lost: it reads as something. */
      if (strspn (tex, " \t\n") != strlen (tex))
        g_assert_cmpstr (text, !=, "");
    }

  g_test_message ("%u answer turns read, %u distinct formulas, %u parse (%.1f %%), "
                  "%u with a command kept literally; %.1f ms for all",
                  n_answers, formulas->len, parsed, 100.0 * parsed / formulas->len,
                  with_unknown, (g_get_monotonic_time () - start) / 1000.0);
  g_print ("# real answers: %u distinct formulas, %u parse, %u with unknown commands\n",
           formulas->len, parsed, with_unknown);
  g_assert_cmpuint (parsed, ==, formulas->len);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tex/readings", test_readings);
  g_test_add_func ("/tex/length", test_length_argument);
  g_test_add_func ("/tex/tree", test_tree);
  g_test_add_func ("/tex/errors", test_errors);
  g_test_add_func ("/tex/hostile", test_hostile);
  g_test_add_func ("/tex/real-answers", test_real_answers);

  return g_test_run ();
}
