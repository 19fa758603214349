/* ka-tex-symbols.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-tex"

#include "config.h"

#include <string.h>

#include "ka-tex-symbols.h"

#define ORD   KA_TEX_CLASS_ORD
#define BIN   KA_TEX_CLASS_BIN
#define REL   KA_TEX_CLASS_REL
#define OPEN  KA_TEX_CLASS_OPEN
#define CLOSE KA_TEX_CLASS_CLOSE
#define PUNCT KA_TEX_CLASS_PUNCT

/* Greek letters, operators, relations, arrows and other symbols of plain TeX and amsmath
 * that model answers use, with their Unicode characters (as in unicode-math). */
static const KaTexSymbol symbols[] = {
  /* Greek, lower case */
  { "alpha", "α", ORD }, { "beta", "β", ORD }, { "gamma", "γ", ORD }, { "delta", "δ", ORD },
  { "epsilon", "ϵ", ORD }, { "varepsilon", "ε", ORD }, { "zeta", "ζ", ORD }, { "eta", "η", ORD },
  { "theta", "θ", ORD }, { "vartheta", "ϑ", ORD }, { "iota", "ι", ORD }, { "kappa", "κ", ORD },
  { "varkappa", "ϰ", ORD }, { "lambda", "λ", ORD }, { "mu", "μ", ORD }, { "nu", "ν", ORD },
  { "xi", "ξ", ORD }, { "omicron", "ο", ORD }, { "pi", "π", ORD }, { "varpi", "ϖ", ORD },
  { "rho", "ρ", ORD }, { "varrho", "ϱ", ORD }, { "sigma", "σ", ORD }, { "varsigma", "ς", ORD },
  { "tau", "τ", ORD }, { "upsilon", "υ", ORD }, { "phi", "ϕ", ORD }, { "varphi", "φ", ORD },
  { "chi", "χ", ORD }, { "psi", "ψ", ORD }, { "omega", "ω", ORD }, { "digamma", "ϝ", ORD },
  /* Greek, upper case */
  { "Alpha", "Α", ORD }, { "Beta", "Β", ORD }, { "Gamma", "Γ", ORD }, { "Delta", "Δ", ORD },
  { "Epsilon", "Ε", ORD }, { "Zeta", "Ζ", ORD }, { "Eta", "Η", ORD }, { "Theta", "Θ", ORD },
  { "Iota", "Ι", ORD }, { "Kappa", "Κ", ORD }, { "Lambda", "Λ", ORD }, { "Mu", "Μ", ORD },
  { "Nu", "Ν", ORD }, { "Xi", "Ξ", ORD }, { "Omicron", "Ο", ORD }, { "Pi", "Π", ORD },
  { "Rho", "Ρ", ORD }, { "Sigma", "Σ", ORD }, { "Tau", "Τ", ORD }, { "Upsilon", "Υ", ORD },
  { "Phi", "Φ", ORD }, { "Chi", "Χ", ORD }, { "Psi", "Ψ", ORD }, { "Omega", "Ω", ORD },
  { "varGamma", "Γ", ORD }, { "varDelta", "Δ", ORD }, { "varTheta", "Θ", ORD },
  { "varLambda", "Λ", ORD }, { "varXi", "Ξ", ORD }, { "varPi", "Π", ORD },
  { "varSigma", "Σ", ORD }, { "varUpsilon", "Υ", ORD }, { "varPhi", "Φ", ORD },
  { "varPsi", "Ψ", ORD }, { "varOmega", "Ω", ORD },
  /* Binary operators */
  { "times", "×", BIN }, { "cdot", "⋅", BIN }, { "pm", "±", BIN }, { "mp", "∓", BIN },
  { "div", "÷", BIN }, { "ast", "∗", BIN }, { "star", "⋆", BIN }, { "circ", "∘", BIN },
  { "bullet", "∙", BIN }, { "cup", "∪", BIN }, { "cap", "∩", BIN }, { "setminus", "∖", BIN },
  { "smallsetminus", "∖", BIN }, { "land", "∧", BIN }, { "wedge", "∧", BIN },
  { "lor", "∨", BIN }, { "vee", "∨", BIN }, { "oplus", "⊕", BIN }, { "ominus", "⊖", BIN },
  { "otimes", "⊗", BIN }, { "odot", "⊙", BIN }, { "oslash", "⊘", BIN }, { "uplus", "⊎", BIN },
  { "sqcup", "⊔", BIN }, { "sqcap", "⊓", BIN }, { "dagger", "†", BIN }, { "ddagger", "‡", BIN },
  { "amalg", "⨿", BIN }, { "wr", "≀", BIN }, { "diamond", "⋄", BIN }, { "bmod", "mod", BIN },
  { "triangleleft", "◁", BIN }, { "triangleright", "▷", BIN }, { "cdotp", "⋅", PUNCT },
  { "centerdot", "⋅", BIN }, { "dotplus", "∔", BIN }, { "ltimes", "⋉", BIN },
  { "rtimes", "⋊", BIN }, { "boxplus", "⊞", BIN }, { "boxtimes", "⊠", BIN },
  /* Relations */
  { "leq", "≤", REL }, { "le", "≤", REL }, { "geq", "≥", REL }, { "ge", "≥", REL },
  { "leqslant", "⩽", REL }, { "geqslant", "⩾", REL }, { "neq", "≠", REL }, { "ne", "≠", REL },
  { "approx", "≈", REL }, { "approxeq", "≊", REL }, { "equiv", "≡", REL }, { "sim", "∼", REL },
  { "simeq", "≃", REL }, { "cong", "≅", REL }, { "propto", "∝", REL }, { "ll", "≪", REL },
  { "gg", "≫", REL }, { "in", "∈", REL }, { "notin", "∉", REL }, { "ni", "∋", REL },
  { "subset", "⊂", REL }, { "subseteq", "⊆", REL }, { "subsetneq", "⊊", REL },
  { "supset", "⊃", REL }, { "supseteq", "⊇", REL }, { "supsetneq", "⊋", REL },
  { "perp", "⊥", REL }, { "parallel", "∥", REL }, { "mid", "∣", REL }, { "nmid", "∤", REL },
  { "models", "⊨", REL }, { "vdash", "⊢", REL }, { "dashv", "⊣", REL }, { "vDash", "⊨", REL },
  { "prec", "≺", REL }, { "succ", "≻", REL }, { "preceq", "⪯", REL }, { "succeq", "⪰", REL },
  { "doteq", "≐", REL }, { "asymp", "≍", REL }, { "bowtie", "⋈", REL },
  { "coloneqq", "≔", REL }, { "coloneq", "≔", REL }, { "eqqcolon", "≕", REL },
  { "triangleq", "≜", REL }, { "lesssim", "≲", REL }, { "gtrsim", "≳", REL },
  { "nleq", "≰", REL }, { "ngeq", "≱", REL }, { "nsim", "≁", REL }, { "ncong", "≇", REL },
  { "nless", "≮", REL }, { "ngtr", "≯", REL }, { "nsubseteq", "⊈", REL },
  { "sqsubseteq", "⊑", REL }, { "sqsupseteq", "⊒", REL }, { "lessgtr", "≶", REL },
  /* Arrows */
  { "rightarrow", "→", REL }, { "to", "→", REL }, { "leftarrow", "←", REL },
  { "gets", "←", REL }, { "leftrightarrow", "↔", REL }, { "Rightarrow", "⇒", REL },
  { "Leftarrow", "⇐", REL }, { "Leftrightarrow", "⇔", REL }, { "implies", "⟹", REL },
  { "impliedby", "⟸", REL }, { "iff", "⟺", REL }, { "mapsto", "↦", REL },
  { "longmapsto", "⟼", REL }, { "longrightarrow", "⟶", REL }, { "longleftarrow", "⟵", REL },
  { "longleftrightarrow", "⟷", REL }, { "Longrightarrow", "⟹", REL },
  { "Longleftarrow", "⟸", REL }, { "Longleftrightarrow", "⟺", REL },
  { "rightleftharpoons", "⇌", REL }, { "leftrightharpoons", "⇋", REL },
  { "rightharpoonup", "⇀", REL }, { "rightharpoondown", "⇁", REL },
  { "leftharpoonup", "↼", REL }, { "leftharpoondown", "↽", REL },
  { "rightleftarrows", "⇄", REL }, { "leftrightarrows", "⇆", REL },
  { "uparrow", "↑", REL }, { "downarrow", "↓", REL }, { "updownarrow", "↕", REL },
  { "Uparrow", "⇑", REL }, { "Downarrow", "⇓", REL }, { "nearrow", "↗", REL },
  { "searrow", "↘", REL }, { "swarrow", "↙", REL }, { "nwarrow", "↖", REL },
  { "hookrightarrow", "↪", REL }, { "hookleftarrow", "↩", REL },
  { "rightsquigarrow", "⇝", REL }, { "leadsto", "⇝", REL }, { "xrightarrow", "⟶", REL },
  { "nrightarrow", "↛", REL }, { "nRightarrow", "⇏", REL }, { "twoheadrightarrow", "↠", REL },
  /* Ordinary symbols */
  { "infty", "∞", ORD }, { "partial", "∂", ORD }, { "nabla", "∇", ORD }, { "forall", "∀", ORD },
  { "exists", "∃", ORD }, { "nexists", "∄", ORD }, { "neg", "¬", ORD }, { "lnot", "¬", ORD },
  { "emptyset", "∅", ORD }, { "varnothing", "∅", ORD }, { "hbar", "ℏ", ORD },
  { "hslash", "ℏ", ORD }, { "ell", "ℓ", ORD }, { "Re", "ℜ", ORD }, { "Im", "ℑ", ORD },
  { "aleph", "ℵ", ORD }, { "beth", "ℶ", ORD }, { "wp", "℘", ORD }, { "angle", "∠", ORD },
  { "measuredangle", "∡", ORD }, { "triangle", "△", ORD }, { "degree", "°", ORD },
  { "circledR", "®", ORD }, { "copyright", "©", ORD },
  { "prime", "′", ORD }, { "dprime", "″", ORD }, { "cdots", "⋯", ORD }, { "ldots", "…", ORD },
  { "dots", "…", ORD }, { "dotsc", "…", ORD }, { "dotsb", "⋯", ORD }, { "dotsm", "⋯", ORD },
  { "vdots", "⋮", ORD }, { "ddots", "⋱", ORD }, { "therefore", "∴", REL },
  { "because", "∵", REL }, { "top", "⊤", ORD }, { "bot", "⊥", ORD }, { "checkmark", "✓", ORD },
  { "square", "□", ORD }, { "Box", "□", ORD }, { "blacksquare", "■", ORD }, { "qed", "∎", ORD },
  { "diamondsuit", "♢", ORD }, { "heartsuit", "♡", ORD }, { "spadesuit", "♠", ORD },
  { "clubsuit", "♣", ORD }, { "flat", "♭", ORD }, { "sharp", "♯", ORD }, { "natural", "♮", ORD },
  { "imath", "ı", ORD }, { "jmath", "ȷ", ORD }, { "mho", "℧", ORD }, { "complement", "∁", ORD },
  { "surd", "√", ORD }, { "S", "§", ORD }, { "P", "¶", ORD }, { "dag", "†", ORD },
  { "ddag", "‡", ORD }, { "pounds", "£", ORD }, { "euro", "€", ORD }, { "yen", "¥", ORD },
  { "textdegree", "°", ORD }, { "textbackslash", "\\", ORD }, { "backslash", "\\", ORD },
  { "colon", ":", PUNCT }, { "ldotp", ".", PUNCT },
  /* Delimiters (also usable without \left) */
  { "langle", "⟨", OPEN }, { "rangle", "⟩", CLOSE }, { "lfloor", "⌊", OPEN },
  { "rfloor", "⌋", CLOSE }, { "lceil", "⌈", OPEN }, { "rceil", "⌉", CLOSE },
  { "lbrace", "{", OPEN }, { "rbrace", "}", CLOSE }, { "lbrack", "[", OPEN },
  { "rbrack", "]", CLOSE }, { "lvert", "|", OPEN }, { "rvert", "|", CLOSE },
  { "lVert", "‖", OPEN }, { "rVert", "‖", CLOSE }, { "vert", "|", ORD }, { "Vert", "‖", ORD },
  { "lgroup", "⟮", OPEN }, { "rgroup", "⟯", CLOSE }, { "llbracket", "⟦", OPEN },
  { "rrbracket", "⟧", CLOSE },
  { NULL, NULL, ORD }
};

/* Control symbols: a backslash and one character. */
static const KaTexSymbol control_symbols[] = {
  { "{", "{", OPEN }, { "}", "}", CLOSE }, { "|", "‖", ORD }, { "$", "$", ORD },
  { "%", "%", ORD }, { "&", "&", ORD }, { "#", "#", ORD }, { "_", "_", ORD },
  { "\\", NULL, ORD }, { NULL, NULL, ORD }
};

static const KaTexOperator operators[] = {
  /* Large operators */
  { "sum", "∑", KA_TEX_LIMITS_DISPLAY, TRUE }, { "prod", "∏", KA_TEX_LIMITS_DISPLAY, TRUE },
  { "coprod", "∐", KA_TEX_LIMITS_DISPLAY, TRUE }, { "bigcup", "⋃", KA_TEX_LIMITS_DISPLAY, TRUE },
  { "bigcap", "⋂", KA_TEX_LIMITS_DISPLAY, TRUE }, { "bigvee", "⋁", KA_TEX_LIMITS_DISPLAY, TRUE },
  { "bigwedge", "⋀", KA_TEX_LIMITS_DISPLAY, TRUE },
  { "bigoplus", "⨁", KA_TEX_LIMITS_DISPLAY, TRUE },
  { "bigotimes", "⨂", KA_TEX_LIMITS_DISPLAY, TRUE },
  { "bigodot", "⨀", KA_TEX_LIMITS_DISPLAY, TRUE },
  { "bigsqcup", "⨆", KA_TEX_LIMITS_DISPLAY, TRUE },
  { "biguplus", "⨄", KA_TEX_LIMITS_DISPLAY, TRUE },
  { "int", "∫", KA_TEX_LIMITS_SIDE, TRUE }, { "iint", "∬", KA_TEX_LIMITS_SIDE, TRUE },
  { "iiint", "∭", KA_TEX_LIMITS_SIDE, TRUE }, { "oint", "∮", KA_TEX_LIMITS_SIDE, TRUE },
  { "oiint", "∯", KA_TEX_LIMITS_SIDE, TRUE }, { "intop", "∫", KA_TEX_LIMITS_DISPLAY, TRUE },
  { "smallint", "∫", KA_TEX_LIMITS_SIDE, FALSE },
  /* Named operators with limits in display style */
  { "lim", "lim", KA_TEX_LIMITS_DISPLAY, FALSE }, { "liminf", "lim inf", KA_TEX_LIMITS_DISPLAY, FALSE },
  { "limsup", "lim sup", KA_TEX_LIMITS_DISPLAY, FALSE }, { "max", "max", KA_TEX_LIMITS_DISPLAY, FALSE },
  { "min", "min", KA_TEX_LIMITS_DISPLAY, FALSE }, { "sup", "sup", KA_TEX_LIMITS_DISPLAY, FALSE },
  { "inf", "inf", KA_TEX_LIMITS_DISPLAY, FALSE }, { "det", "det", KA_TEX_LIMITS_DISPLAY, FALSE },
  { "gcd", "gcd", KA_TEX_LIMITS_DISPLAY, FALSE }, { "Pr", "Pr", KA_TEX_LIMITS_DISPLAY, FALSE },
  { "argmax", "arg max", KA_TEX_LIMITS_DISPLAY, FALSE },
  { "argmin", "arg min", KA_TEX_LIMITS_DISPLAY, FALSE },
  /* Named operators, scripts beside */
  { "sin", "sin", KA_TEX_LIMITS_SIDE, FALSE }, { "cos", "cos", KA_TEX_LIMITS_SIDE, FALSE },
  { "tan", "tan", KA_TEX_LIMITS_SIDE, FALSE }, { "cot", "cot", KA_TEX_LIMITS_SIDE, FALSE },
  { "sec", "sec", KA_TEX_LIMITS_SIDE, FALSE }, { "csc", "csc", KA_TEX_LIMITS_SIDE, FALSE },
  { "arcsin", "arcsin", KA_TEX_LIMITS_SIDE, FALSE }, { "arccos", "arccos", KA_TEX_LIMITS_SIDE, FALSE },
  { "arctan", "arctan", KA_TEX_LIMITS_SIDE, FALSE }, { "sinh", "sinh", KA_TEX_LIMITS_SIDE, FALSE },
  { "cosh", "cosh", KA_TEX_LIMITS_SIDE, FALSE }, { "tanh", "tanh", KA_TEX_LIMITS_SIDE, FALSE },
  { "coth", "coth", KA_TEX_LIMITS_SIDE, FALSE }, { "log", "log", KA_TEX_LIMITS_SIDE, FALSE },
  { "ln", "ln", KA_TEX_LIMITS_SIDE, FALSE }, { "lg", "lg", KA_TEX_LIMITS_SIDE, FALSE },
  { "exp", "exp", KA_TEX_LIMITS_SIDE, FALSE }, { "dim", "dim", KA_TEX_LIMITS_SIDE, FALSE },
  { "ker", "ker", KA_TEX_LIMITS_SIDE, FALSE }, { "deg", "deg", KA_TEX_LIMITS_SIDE, FALSE },
  { "arg", "arg", KA_TEX_LIMITS_SIDE, FALSE }, { "hom", "hom", KA_TEX_LIMITS_SIDE, FALSE },
  { "Var", "Var", KA_TEX_LIMITS_SIDE, FALSE }, { "Cov", "Cov", KA_TEX_LIMITS_SIDE, FALSE },
  { "tr", "tr", KA_TEX_LIMITS_SIDE, FALSE }, { "rank", "rank", KA_TEX_LIMITS_SIDE, FALSE },
  { "sgn", "sgn", KA_TEX_LIMITS_SIDE, FALSE },
  { NULL, NULL, KA_TEX_LIMITS_SIDE, FALSE }
};

static const struct { const char *name; int mu; } spaces[] = {
  { ",", 3 }, { "thinspace", 3 }, { ":", 4 }, { ">", 4 }, { "medspace", 4 }, { ";", 5 },
  { "thickspace", 5 }, { "!", -3 }, { "negthinspace", -3 }, { "negmedspace", -4 },
  { "negthickspace", -5 }, { "quad", 18 }, { "qquad", 36 }, { " ", 6 }, { "enspace", 9 },
  { "space", 6 }, { "nobreakspace", 6 },
  { NULL, 0 }
};

/* Accents as combining marks; "wide" ones span their whole argument. */
static const struct { const char *name; const char *mark; gboolean wide; } accents[] = {
  { "hat", "\xcc\x82", FALSE }, { "widehat", "\xcc\x82", TRUE }, { "bar", "\xcc\x84", FALSE },
  { "overline", "\xcc\x85", TRUE }, { "vec", "\xe2\x83\x97", FALSE },
  { "overrightarrow", "\xe2\x83\x97", TRUE }, { "overleftarrow", "\xe2\x83\x96", TRUE },
  { "dot", "\xcc\x87", FALSE }, { "ddot", "\xcc\x88", FALSE }, { "dddot", "\xe2\x83\x9b", FALSE },
  { "tilde", "\xcc\x83", FALSE }, { "widetilde", "\xcc\x83", TRUE }, { "acute", "\xcc\x81", FALSE },
  { "grave", "\xcc\x80", FALSE }, { "breve", "\xcc\x86", FALSE }, { "check", "\xcc\x8c", FALSE },
  { "widecheck", "\xcc\x8c", TRUE }, { "mathring", "\xcc\x8a", FALSE },
  { "overbrace", "\xcc\x85", TRUE }, { "overleftrightarrow", "\xe2\x83\xa1", TRUE },
  { NULL, NULL, FALSE }
};

static const struct {
  const char *name;
  KaTexFont   font;
  gboolean    text_mode;
  const char *alphabet;
} fonts[] = {
  { "mathrm", KA_TEX_FONT_ROMAN, FALSE, NULL }, { "mathup", KA_TEX_FONT_ROMAN, FALSE, NULL },
  { "mathbf", KA_TEX_FONT_BOLD, FALSE, NULL }, { "bf", KA_TEX_FONT_BOLD, FALSE, NULL },
  { "mathit", KA_TEX_FONT_ITALIC, FALSE, NULL }, { "mathsf", KA_TEX_FONT_SANS, FALSE, NULL },
  { "mathtt", KA_TEX_FONT_MONO, FALSE, NULL }, { "boldsymbol", KA_TEX_FONT_BOLD_ITALIC, FALSE, NULL },
  { "bm", KA_TEX_FONT_BOLD_ITALIC, FALSE, NULL }, { "mathbb", KA_TEX_FONT_ROMAN, FALSE, "bb" },
  { "Bbb", KA_TEX_FONT_ROMAN, FALSE, "bb" }, { "mathcal", KA_TEX_FONT_ROMAN, FALSE, "cal" },
  { "mathscr", KA_TEX_FONT_ROMAN, FALSE, "cal" }, { "mathfrak", KA_TEX_FONT_ROMAN, FALSE, "frak" },
  { "text", KA_TEX_FONT_ROMAN, TRUE, NULL }, { "textrm", KA_TEX_FONT_ROMAN, TRUE, NULL },
  { "textup", KA_TEX_FONT_ROMAN, TRUE, NULL }, { "textnormal", KA_TEX_FONT_ROMAN, TRUE, NULL },
  { "mbox", KA_TEX_FONT_ROMAN, TRUE, NULL }, { "hbox", KA_TEX_FONT_ROMAN, TRUE, NULL },
  { "textbf", KA_TEX_FONT_BOLD, TRUE, NULL }, { "textit", KA_TEX_FONT_ITALIC, TRUE, NULL },
  { "emph", KA_TEX_FONT_ITALIC, TRUE, NULL }, { "textsf", KA_TEX_FONT_SANS, TRUE, NULL },
  { "texttt", KA_TEX_FONT_MONO, TRUE, NULL }, { "operatorname", KA_TEX_FONT_ROMAN, FALSE, NULL },
  { NULL, KA_TEX_FONT_DEFAULT, FALSE, NULL }
};

/* \big( and friends: size 1-4; the l/r/m suffix only sets the class. */
static const struct { const char *name; int size; KaTexClass cls; } bigs[] = {
  { "big", 1, ORD }, { "Big", 2, ORD }, { "bigg", 3, ORD }, { "Bigg", 4, ORD },
  { "bigl", 1, OPEN }, { "Bigl", 2, OPEN }, { "biggl", 3, OPEN }, { "Biggl", 4, OPEN },
  { "bigr", 1, CLOSE }, { "Bigr", 2, CLOSE }, { "biggr", 3, CLOSE }, { "Biggr", 4, CLOSE },
  { "bigm", 1, REL }, { "Bigm", 2, REL }, { "biggm", 3, REL }, { "Biggm", 4, REL },
  { NULL, 0, ORD }
};

/*
 * The lookups below take a command name without its backslash ("alpha", ",") and return
 * NULL, FALSE or 0 for a name their table does not hold; what they return is static.
 */

/**
 * ka_tex_lookup_symbol:
 * @name: a command name ("alpha", "leq") or a control symbol ("{", "$")
 *
 * Returns: (nullable) (transfer none): its character and spacing class
 */
const KaTexSymbol *
ka_tex_lookup_symbol (const char *name)
{
  const KaTexSymbol *table = (name[0] != '\0' && name[1] == '\0' && !g_ascii_isalpha (name[0]))
                             ? control_symbols : symbols;

  for (guint i = 0; table[i].name != NULL; i++)
    if (strcmp (table[i].name, name) == 0)
      return table[i].text != NULL ? &table[i] : NULL;
  return NULL;
}

const KaTexOperator *
ka_tex_lookup_operator (const char *name)
{
  for (guint i = 0; operators[i].name != NULL; i++)
    if (strcmp (operators[i].name, name) == 0)
      return &operators[i];
  return NULL;
}

gboolean
ka_tex_lookup_space (const char *name,
                     int        *mu)
{
  for (guint i = 0; spaces[i].name != NULL; i++)
    if (strcmp (spaces[i].name, name) == 0)
      {
        *mu = spaces[i].mu;
        return TRUE;
      }
  return FALSE;
}

const char *
ka_tex_lookup_accent (const char *name,
                      gboolean   *wide)
{
  for (guint i = 0; accents[i].name != NULL; i++)
    if (strcmp (accents[i].name, name) == 0)
      {
        *wide = accents[i].wide;
        return accents[i].mark;
      }
  return NULL;
}

gboolean
ka_tex_lookup_font (const char  *name,
                    KaTexFont   *font,
                    gboolean    *text_mode,
                    const char **alphabet)
{
  for (guint i = 0; fonts[i].name != NULL; i++)
    if (strcmp (fonts[i].name, name) == 0)
      {
        *font = fonts[i].font;
        *text_mode = fonts[i].text_mode;
        *alphabet = fonts[i].alphabet;
        return TRUE;
      }
  return FALSE;
}

int
ka_tex_lookup_big (const char *name,
                   KaTexClass *cls)
{
  for (guint i = 0; bigs[i].name != NULL; i++)
    if (strcmp (bigs[i].name, name) == 0)
      {
        *cls = bigs[i].cls;
        return bigs[i].size;
      }
  return 0;
}

/* What a delimiter token after \left, \right or \big means: "(", "\langle", "." … */
const char *
ka_tex_lookup_delimiter (const char *name)
{
  static const char *plain[] = { "(", ")", "[", "]", "|", "/", "<", ">", ".", NULL };
  const KaTexSymbol *symbol;

  for (guint i = 0; plain[i] != NULL; i++)
    if (strcmp (plain[i], name) == 0)
      {
        if (name[0] == '.')
          return "";
        if (name[0] == '<')
          return "⟨";
        if (name[0] == '>')
          return "⟩";
        return plain[i];
      }

  if (name[0] != '\\')
    return NULL;
  if (strcmp (name + 1, "|") == 0)
    return "‖";
  if (strcmp (name + 1, "{") == 0)
    return "{";
  if (strcmp (name + 1, "}") == 0)
    return "}";
  if (strcmp (name + 1, "backslash") == 0)
    return "\\";
  symbol = ka_tex_lookup_symbol (name + 1);
  if (symbol != NULL && (symbol->cls == OPEN || symbol->cls == CLOSE
                         || g_str_equal (symbol->text, "|") || g_str_equal (symbol->text, "‖")
                         || g_str_equal (symbol->text, "↑") || g_str_equal (symbol->text, "↓")))
    return symbol->text;
  return NULL;
}

/* Mathematical alphanumerics (U+1D400 block) with the letters Unicode placed elsewhere. */
gunichar
ka_tex_alphabet_char (const char *alphabet,
                      gunichar    c)
{
  if (alphabet == NULL)
    return c;

  if (g_str_equal (alphabet, "bb"))
    {
      switch (c)
        {
        case 'C': return 0x2102;
        case 'H': return 0x210D;
        case 'N': return 0x2115;
        case 'P': return 0x2119;
        case 'Q': return 0x211A;
        case 'R': return 0x211D;
        case 'Z': return 0x2124;
        default: break;
        }
      if (c >= 'A' && c <= 'Z')
        return 0x1D538 + (c - 'A');
      if (c >= 'a' && c <= 'z')
        return 0x1D552 + (c - 'a');
      if (c >= '0' && c <= '9')
        return 0x1D7D8 + (c - '0');
    }
  else if (g_str_equal (alphabet, "cal"))
    {
      switch (c)
        {
        case 'B': return 0x212C;
        case 'E': return 0x2130;
        case 'F': return 0x2131;
        case 'H': return 0x210B;
        case 'I': return 0x2110;
        case 'L': return 0x2112;
        case 'M': return 0x2133;
        case 'R': return 0x211B;
        default: break;
        }
      if (c >= 'A' && c <= 'Z')
        return 0x1D49C + (c - 'A');
    }
  else if (g_str_equal (alphabet, "frak"))
    {
      switch (c)
        {
        case 'C': return 0x212D;
        case 'H': return 0x210C;
        case 'I': return 0x2111;
        case 'R': return 0x211C;
        case 'Z': return 0x2128;
        default: break;
        }
      if (c >= 'A' && c <= 'Z')
        return 0x1D504 + (c - 'A');
      if (c >= 'a' && c <= 'z')
        return 0x1D51E + (c - 'a');
    }

  return c;
}

static gunichar
map_pairs (const gunichar *pairs,
           gunichar        c)
{
  for (guint i = 0; pairs[i] != 0; i += 2)
    if (pairs[i] == c)
      return pairs[i + 1];
  return 0;
}

/* Unicode superscript form of @c, or 0 where Unicode has none. */
gunichar
ka_tex_superscript_char (gunichar c)
{
  static const gunichar pairs[] = {
    '0', 0x2070, '1', 0x00B9, '2', 0x00B2, '3', 0x00B3, '4', 0x2074, '5', 0x2075,
    '6', 0x2076, '7', 0x2077, '8', 0x2078, '9', 0x2079, '+', 0x207A, '-', 0x207B,
    0x2212, 0x207B, '=', 0x207C, '(', 0x207D, ')', 0x207E, 'n', 0x207F, 'i', 0x2071,
    'a', 0x1D43, 'b', 0x1D47, 'c', 0x1D9C, 'd', 0x1D48, 'e', 0x1D49, 'f', 0x1DA0,
    'g', 0x1D4D, 'h', 0x02B0, 'j', 0x02B2, 'k', 0x1D4F, 'l', 0x02E1, 'm', 0x1D50,
    'o', 0x1D52, 'p', 0x1D56, 'r', 0x02B3, 's', 0x02E2, 't', 0x1D57, 'u', 0x1D58,
    'v', 0x1D5B, 'w', 0x02B7, 'x', 0x02E3, 'y', 0x02B8, 'z', 0x1DBB,
    'A', 0x1D2C, 'B', 0x1D2E, 'D', 0x1D30, 'E', 0x1D31, 'G', 0x1D33, 'H', 0x1D34,
    'I', 0x1D35, 'J', 0x1D36, 'K', 0x1D37, 'L', 0x1D38, 'M', 0x1D39, 'N', 0x1D3A,
    'O', 0x1D3C, 'P', 0x1D3E, 'R', 0x1D3F, 'T', 0x1D40, 'U', 0x1D41, 'V', 0x2C7D,
    'W', 0x1D42, 0x03B2, 0x1D5D, 0x03B3, 0x1D5E, 0x03B4, 0x1D5F, 0x03B8, 0x1DBF,
    0x03C6, 0x1D60, 0x03C7, 0x1D61, 0x2032, 0x2032, 0x2033, 0x2033, 0x2217, 0x2217,
    0x2218, 0x00B0, 0
  };

  return map_pairs (pairs, c);
}

/* Unicode subscript form of @c, or 0 where Unicode has none. */
gunichar
ka_tex_subscript_char (gunichar c)
{
  static const gunichar pairs[] = {
    '0', 0x2080, '1', 0x2081, '2', 0x2082, '3', 0x2083, '4', 0x2084, '5', 0x2085,
    '6', 0x2086, '7', 0x2087, '8', 0x2088, '9', 0x2089, '+', 0x208A, '-', 0x208B,
    0x2212, 0x208B, '=', 0x208C, '(', 0x208D, ')', 0x208E, 'a', 0x2090, 'e', 0x2091,
    'o', 0x2092, 'x', 0x2093, 'h', 0x2095, 'k', 0x2096, 'l', 0x2097, 'm', 0x2098,
    'n', 0x2099, 'p', 0x209A, 's', 0x209B, 't', 0x209C, 'i', 0x1D62, 'r', 0x1D63,
    'u', 0x1D64, 'v', 0x1D65, 'j', 0x2C7C, 0x03B2, 0x1D66, 0x03B3, 0x1D67, 0x03C1, 0x1D68,
    0x03C6, 0x1D69, 0x03C7, 0x1D6A, 0
  };

  return map_pairs (pairs, c);
}
