/* ka-tex-parser.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-tex"

#include "config.h"

#include <string.h>

#include "ka-tex.h"
#include "ka-tex-symbols.h"

/*
 * A recursive-descent parser for the TeX math that model answers write. Every nested
 * list, argument and environment goes through enter(), which refuses to go deeper than
 * KA_TEX_MAX_DEPTH, so the C stack is bounded whatever the input. The first error stops
 * the parse; the caller then shows the source as text.
 */

G_DEFINE_QUARK (ka-tex-error-quark, ka_tex_error)

/* Where a list stops (the stopping token is left for the caller). */
enum
{
  STOP_BRACE  = 1 << 0,  /* } */
  STOP_CELL   = 1 << 1,  /* & and \\ */
  STOP_RIGHT  = 1 << 2,  /* \right */
  STOP_END    = 1 << 3,  /* \end */
  STOP_BRACK  = 1 << 4,  /* ] (the index of \sqrt[n]) */
};

typedef struct
{
  const char  *start;
  const char  *p;
  const char  *end;
  guint        depth;
  guint        n_nodes;
  KaTexFont    font;
  const char  *alphabet;
  gboolean     one_token;  /* an argument without braces: "\frac12", "x^23" take one digit */
  GError      *error;
} Parser;

static KaTexNode *parse_list     (Parser *P, guint stop);
static KaTexNode *parse_argument (Parser *P);
static KaTexNode *parse_atom     (Parser *P);

static gboolean
failed (Parser *P)
{
  return P->error != NULL;
}

static void
fail (Parser     *P,
      KaTexError  code,
      const char *message)
{
  if (P->error == NULL)
    g_set_error_literal (&P->error, KA_TEX_ERROR, code, message);
}

static gboolean
enter (Parser *P)
{
  if (++P->depth > KA_TEX_MAX_DEPTH)
    {
      fail (P, KA_TEX_ERROR_TOO_DEEP, "Formula nested too deeply");
      return FALSE;
    }
  return TRUE;
}

static void
leave (Parser *P)
{
  P->depth--;
}

static KaTexNode *
new_node (Parser    *P,
          KaTexKind  kind)
{
  if (++P->n_nodes > KA_TEX_MAX_NODES)
    fail (P, KA_TEX_ERROR_TOO_LARGE, "Formula too large");
  return ka_tex_node_new (kind);
}

static KaTexNode *
new_leaf (Parser     *P,
          KaTexKind   kind,
          KaTexClass  cls,
          const char *text)
{
  KaTexNode *node = new_node (P, kind);

  node->cls = cls;
  node->text = g_strdup (text);
  node->font = P->font;
  return node;
}

static void
skip_space (Parser *P)
{
  while (P->p < P->end && g_ascii_isspace (*P->p))
    P->p++;
}

static gboolean
at_end (Parser *P)
{
  skip_space (P);
  return P->p >= P->end;
}

/* Reads a control sequence at P->p (which is a backslash): "\alpha" → "alpha", "\," → ",",
 * a lone backslash at the end → "". */
static char *
read_command (Parser *P)
{
  const char *start;

  g_assert (*P->p == '\\');
  P->p++;
  start = P->p;
  if (P->p >= P->end)
    return g_strdup ("");
  if (g_ascii_isalpha (*P->p))
    {
      while (P->p < P->end && g_ascii_isalpha (*P->p))
        P->p++;
      return g_strndup (start, P->p - start);
    }
  P->p = g_utf8_next_char (P->p);
  if (P->p > P->end)
    P->p = P->end;
  return g_strndup (start, P->p - start);
}

/* Looks at the next command name without consuming it. */
static gboolean
peek_command (Parser     *P,
              const char *name)
{
  gsize len = strlen (name);

  skip_space (P);
  return P->p < P->end && *P->p == '\\'
         && (gsize) (P->end - P->p - 1) >= len
         && strncmp (P->p + 1, name, len) == 0
         && (P->p + 1 + len >= P->end || !g_ascii_isalpha (P->p[1 + len]));
}

static gboolean
peek_char (Parser *P,
           char    c)
{
  skip_space (P);
  return P->p < P->end && *P->p == c;
}

/* The raw text of a brace group (for \text, \begin{…}, \color{…}): escapes resolved,
 * nested braces kept. Without a group, one character. */
static char *
read_raw_group (Parser   *P,
                gboolean  keep_space)
{
  GString *out = g_string_new (NULL);
  guint level = 0;

  skip_space (P);
  if (P->p >= P->end)
    {
      fail (P, KA_TEX_ERROR_SYNTAX, "Missing argument");
      return g_string_free (out, FALSE);
    }
  if (*P->p != '{')
    {
      const char *start = P->p;

      if (*P->p == '\\')
        {
          g_autofree char *name = read_command (P);
          g_string_append_c (out, '\\');
          g_string_append (out, name);
          return g_string_free (out, FALSE);
        }
      P->p = g_utf8_next_char (P->p);
      if (P->p > P->end)
        P->p = P->end;
      g_string_append_len (out, start, P->p - start);
      return g_string_free (out, FALSE);
    }

  P->p++;
  while (P->p < P->end)
    {
      char c = *P->p;

      if (c == '{')
        level++;
      else if (c == '}')
        {
          if (level == 0)
            {
              P->p++;
              return g_string_free (out, FALSE);
            }
          level--;
        }
      else if (c == '\\' && P->p + 1 < P->end && strchr ("{}$%&_#\\ ", P->p[1]) != NULL)
        {
          if (P->p[1] == '\\')
            g_string_append_c (out, ' ');
          else
            g_string_append_c (out, P->p[1]);
          P->p += 2;
          continue;
        }
      else if (c == '~')
        {
          g_string_append (out, "\xc2\xa0");
          P->p++;
          continue;
        }
      if (!keep_space && g_ascii_isspace (c))
        {
          P->p++;
          continue;
        }
      g_string_append_c (out, c == '\n' || c == '\t' || c == '\r' ? ' ' : c);
      P->p++;
    }

  fail (P, KA_TEX_ERROR_UNBALANCED, "Missing closing brace");
  return g_string_free (out, FALSE);
}

/* An optional [argument] as raw text, or NULL. */
static char *
read_optional_raw (Parser *P)
{
  const char *close;

  if (!peek_char (P, '['))
    return NULL;
  close = memchr (P->p, ']', P->end - P->p);
  if (close == NULL)
    return NULL;
  {
    char *text = g_strndup (P->p + 1, close - P->p - 1);
    P->p = close + 1;
    return text;
  }
}

static KaTexNode *
parse_group (Parser *P)
{
  KaTexNode *row;

  g_assert (*P->p == '{');
  P->p++;
  row = parse_list (P, STOP_BRACE);
  if (failed (P))
    return row;
  if (P->p < P->end && *P->p == '}')
    P->p++;
  else
    fail (P, KA_TEX_ERROR_UNBALANCED, "Missing closing brace");
  return row;
}

/* One argument of a command: a {group} or a single atom. */
static KaTexNode *
parse_argument (Parser *P)
{
  KaTexNode *node = NULL;

  if (!enter (P))
    return NULL;

  skip_space (P);
  if (P->p >= P->end || *P->p == '}' || *P->p == '&' || *P->p == '^' || *P->p == '_')
    fail (P, KA_TEX_ERROR_SYNTAX, "Missing argument");
  else if (*P->p == '{')
    node = parse_group (P);
  else
    {
      P->one_token = TRUE;
      node = parse_atom (P);
    }

  leave (P);
  if (node == NULL && !failed (P))
    fail (P, KA_TEX_ERROR_SYNTAX, "Missing argument");
  return node;
}

/* An argument parsed in another font (\mathbf{x}, \mathbb{R}). */
static KaTexNode *
parse_argument_in_font (Parser     *P,
                        KaTexFont   font,
                        const char *alphabet)
{
  KaTexFont saved_font = P->font;
  const char *saved_alphabet = P->alphabet;
  KaTexNode *node;

  P->font = font;
  P->alphabet = alphabet;
  node = parse_argument (P);
  P->font = saved_font;
  P->alphabet = saved_alphabet;
  return node;
}

/* The delimiter after \left, \right, \big…: "(", "\{", "\langle", "." */
static char *
read_delimiter (Parser *P)
{
  g_autofree char *token = NULL;
  const char *meaning;

  skip_space (P);
  if (P->p >= P->end)
    {
      fail (P, KA_TEX_ERROR_SYNTAX, "Missing delimiter");
      return g_strdup ("");
    }
  if (*P->p == '\\')
    {
      g_autofree char *name = read_command (P);
      token = g_strconcat ("\\", name, NULL);
    }
  else
    {
      const char *start = P->p;

      P->p = g_utf8_next_char (P->p);
      if (P->p > P->end)
        P->p = P->end;
      token = g_strndup (start, P->p - start);
    }

  meaning = ka_tex_lookup_delimiter (token);
  if (meaning == NULL)
    {
      fail (P, KA_TEX_ERROR_SYNTAX, "Not a delimiter");
      return g_strdup ("");
    }
  return g_strdup (meaning);
}

static KaTexNode *
parse_left_right (Parser *P)
{
  KaTexNode *node = new_node (P, KA_TEX_DELIMITED);

  node->cls = KA_TEX_CLASS_INNER;
  node->flag = TRUE;
  node->text = read_delimiter (P);
  if (failed (P) || !enter (P))
    return node;
  node->body = parse_list (P, STOP_RIGHT);
  leave (P);
  if (failed (P))
    return node;
  if (!peek_command (P, "right"))
    {
      fail (P, KA_TEX_ERROR_UNBALANCED, "\\left without \\right");
      return node;
    }
  g_free (read_command (P));
  node->text2 = read_delimiter (P);
  return node;
}

static const char *
matrix_delimiters (const char  *env,
                   const char **right)
{
  static const struct { const char *env, *left, *right; } table[] = {
    { "pmatrix", "(", ")" }, { "bmatrix", "[", "]" }, { "Bmatrix", "{", "}" },
    { "vmatrix", "|", "|" }, { "Vmatrix", "‖", "‖" }, { "cases", "{", "" },
    { "dcases", "{", "" }, { "rcases", "", "}" }, { "pmatrix*", "(", ")" },
    { "bmatrix*", "[", "]" }, { "psmallmatrix", "(", ")" }, { "bsmallmatrix", "[", "]" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (g_str_equal (table[i].env, env))
      {
        *right = table[i].right;
        return table[i].left;
      }
  *right = NULL;
  return NULL;
}

/* Cells separated by & and rows by \\, up to \end{…} (or the end of input when @env is
 * NULL: a formula with \\ at its top level). */
static KaTexNode *
parse_grid (Parser     *P,
            const char *env)
{
  KaTexNode *matrix = new_node (P, KA_TEX_MATRIX);
  KaTexNode *row = new_node (P, KA_TEX_ROW);

  matrix->text = g_strdup (env != NULL ? env : "gathered");

  while (!failed (P))
    {
      KaTexNode *cell;

      while (peek_command (P, "hline") || peek_command (P, "hdashline"))
        g_free (read_command (P));
      cell = parse_list (P, STOP_CELL | (env != NULL ? STOP_END : 0));
      ka_tex_node_append (row, cell);
      if (failed (P))
        break;

      if (peek_char (P, '&'))
        {
          P->p++;
          if (env == NULL)
            {
              g_free (matrix->text);
              matrix->text = g_strdup ("aligned");
            }
          continue;
        }
      if (P->p + 1 < P->end && P->p[0] == '\\' && P->p[1] == '\\')
        {
          P->p += 2;
          g_free (read_optional_raw (P));
          ka_tex_node_append (matrix, row);
          row = new_node (P, KA_TEX_ROW);
          continue;
        }
      break;
    }

  /* A trailing \\ leaves one empty cell: drop that row. */
  if (ka_tex_node_n_children (row) == 1 && ka_tex_node_n_children (ka_tex_node_child (row, 0)) == 0
      && ka_tex_node_n_children (matrix) > 0)
    ka_tex_node_free (row);
  else
    ka_tex_node_append (matrix, row);

  if (failed (P) || env == NULL)
    return matrix;

  if (!peek_command (P, "end"))
    {
      fail (P, KA_TEX_ERROR_UNBALANCED, "\\begin without \\end");
      return matrix;
    }
  g_free (read_command (P));
  g_free (read_raw_group (P, FALSE));
  return matrix;
}

static KaTexNode *
parse_environment (Parser *P)
{
  g_autofree char *env = read_raw_group (P, FALSE);
  KaTexNode *node;
  const char *left, *right;

  if (failed (P))
    return NULL;

  /* Column specifications and alignment counts are not needed for drawing. */
  if (g_str_equal (env, "array") || g_str_equal (env, "subarray")
      || g_str_equal (env, "alignat") || g_str_equal (env, "alignat*")
      || g_str_equal (env, "alignedat"))
    g_free (read_raw_group (P, FALSE));
  if (g_str_has_suffix (env, "matrix*"))
    g_free (read_optional_raw (P));

  if (!enter (P))
    return NULL;
  node = parse_grid (P, env);
  leave (P);

  left = matrix_delimiters (env, &right);
  if (left != NULL && !failed (P))
    {
      KaTexNode *delimited = new_node (P, KA_TEX_DELIMITED);

      delimited->cls = KA_TEX_CLASS_INNER;
      delimited->flag = TRUE;
      delimited->text = g_strdup (left);
      delimited->text2 = g_strdup (right);
      delimited->body = node;
      return delimited;
    }
  return node;
}

static gboolean
is_primes (const KaTexNode *node)
{
  return node != NULL && node->kind == KA_TEX_SYMBOL && node->text != NULL
         && g_str_has_prefix (node->text, "′");
}

/* Attaches a sub- or superscript to the last atom of @row. A second superscript on the
 * same atom is an error, as in TeX, except after primes: x'^2 is x′². */
static void
attach_script (Parser    *P,
               KaTexNode *row,
               gboolean   is_sup,
               KaTexNode *script)
{
  KaTexNode *base = NULL;
  KaTexNode *scripts;
  guint n = ka_tex_node_n_children (row);

  if (n > 0)
    {
      KaTexNode *last = ka_tex_node_child (row, n - 1);

      if (last->kind == KA_TEX_SCRIPTS)
        {
          KaTexNode **slot = is_sup ? &last->sup : &last->sub;

          if (*slot == NULL)
            {
              *slot = script;
              return;
            }
          if (is_sup && is_primes (last->sup))
            {
              if (is_primes (script))
                {
                  char *more = g_strconcat (last->sup->text, script->text, NULL);

                  g_free (last->sup->text);
                  last->sup->text = more;
                  ka_tex_node_free (script);
                }
              else
                {
                  KaTexNode *both = new_node (P, KA_TEX_ROW);

                  ka_tex_node_append (both, last->sup);
                  ka_tex_node_append (both, script);
                  last->sup = both;
                }
              return;
            }
          ka_tex_node_free (script);
          fail (P, KA_TEX_ERROR_SYNTAX, is_sup ? "Double superscript" : "Double subscript");
          return;
        }
      if (last->kind != KA_TEX_SPACE)
        base = g_ptr_array_steal_index (row->children, n - 1);
    }

  scripts = new_node (P, KA_TEX_SCRIPTS);
  scripts->body = base != NULL ? base : new_node (P, KA_TEX_ROW);
  scripts->cls = base != NULL ? base->cls : KA_TEX_CLASS_ORD;
  scripts->limits = base != NULL && base->kind == KA_TEX_SYMBOL ? base->limits : KA_TEX_LIMITS_SIDE;
  if (is_sup)
    scripts->sup = script;
  else
    scripts->sub = script;
  ka_tex_node_append (row, scripts);
}

static KaTexNode *
negate (Parser    *P,
        KaTexNode *node)
{
  static const char *pairs[] = {
    "=", "≠", "<", "≮", ">", "≯", "∈", "∉", "≡", "≢", "⊂", "⊄", "⊃", "⊅", "⊆", "⊈",
    "⊇", "⊉", "≤", "≰", "≥", "≱", "∼", "≁", "≅", "≇", "→", "↛", "∃", "∄", "|", "∤",
    "∣", "∤", "∥", "∦", "≈", "≉", NULL
  };
  char *negated;

  if (node == NULL || node->kind != KA_TEX_SYMBOL || node->text == NULL)
    return node;
  for (guint i = 0; pairs[i] != NULL; i += 2)
    if (g_str_equal (node->text, pairs[i]))
      {
        g_free (node->text);
        node->text = g_strdup (pairs[i + 1]);
        return node;
      }
  negated = g_strconcat (node->text, "\xcc\xb8", NULL);
  g_free (node->text);
  node->text = negated;
  (void) P;
  return node;
}

static KaTexNode *
make_row (Parser *P,
          ...)
{
  KaTexNode *row = new_node (P, KA_TEX_ROW);
  KaTexNode *child;
  va_list args;

  va_start (args, P);
  while ((child = va_arg (args, KaTexNode *)) != NULL)
    ka_tex_node_append (row, child);
  va_end (args);
  return row;
}

static KaTexNode *
space (Parser *P,
       int     mu)
{
  KaTexNode *node = new_node (P, KA_TEX_SPACE);

  node->size = mu;
  return node;
}

/* A command after its backslash. */
static KaTexNode *
parse_command (Parser     *P,
               const char *name)
{
  const KaTexSymbol *symbol;
  const KaTexOperator *op;
  const char *mark, *alphabet;
  gboolean wide, text_mode;
  KaTexFont font;
  KaTexClass cls;
  int mu, big;
  KaTexNode *node;

  if (name[0] == '\0')
    return new_leaf (P, KA_TEX_UNKNOWN, KA_TEX_CLASS_ORD, "\\");

  if ((symbol = ka_tex_lookup_symbol (name)) != NULL)
    {
      node = new_leaf (P, KA_TEX_SYMBOL, symbol->cls, symbol->text);
      if (g_unichar_isalpha (g_utf8_get_char (symbol->text)) && strlen (symbol->text) > 2
          && symbol->cls == KA_TEX_CLASS_BIN)
        node->font = KA_TEX_FONT_ROMAN;   /* \bmod */
      return node;
    }

  if ((op = ka_tex_lookup_operator (name)) != NULL)
    {
      node = new_leaf (P, KA_TEX_SYMBOL, KA_TEX_CLASS_OP, op->text);
      node->limits = op->limits;
      node->flag = op->large;
      node->font = KA_TEX_FONT_ROMAN;
      return node;
    }

  if (ka_tex_lookup_space (name, &mu))
    return space (P, mu);

  if ((mark = ka_tex_lookup_accent (name, &wide)) != NULL)
    {
      node = new_node (P, KA_TEX_ACCENT);
      node->text = g_strdup (mark);
      node->flag = wide;
      node->body = parse_argument (P);
      return node;
    }

  if (ka_tex_lookup_font (name, &font, &text_mode, &alphabet))
    {
      if (g_str_equal (name, "operatorname"))
        {
          gboolean star = peek_char (P, '*');
          g_autofree char *text = NULL;

          if (star)
            P->p++;
          text = read_raw_group (P, FALSE);
          node = new_leaf (P, KA_TEX_SYMBOL, KA_TEX_CLASS_OP, text);
          node->font = KA_TEX_FONT_ROMAN;
          node->limits = star ? KA_TEX_LIMITS_DISPLAY : KA_TEX_LIMITS_SIDE;
          return node;
        }
      if (text_mode)
        {
          g_autofree char *text = read_raw_group (P, TRUE);

          node = new_leaf (P, KA_TEX_TEXT, KA_TEX_CLASS_ORD, text);
          node->font = font;
          return node;
        }
      return parse_argument_in_font (P, font, alphabet);
    }

  if ((big = ka_tex_lookup_big (name, &cls)) > 0)
    {
      g_autofree char *delimiter = read_delimiter (P);

      if (cls == KA_TEX_CLASS_ORD)
        {
          if (strchr ("([{", delimiter[0]) != NULL || g_str_equal (delimiter, "⟨")
              || g_str_equal (delimiter, "⌊") || g_str_equal (delimiter, "⌈"))
            cls = KA_TEX_CLASS_OPEN;
          else if (strchr (")]}", delimiter[0]) != NULL || g_str_equal (delimiter, "⟩")
                   || g_str_equal (delimiter, "⌋") || g_str_equal (delimiter, "⌉"))
            cls = KA_TEX_CLASS_CLOSE;
        }
      node = new_leaf (P, KA_TEX_SYMBOL, cls, delimiter);
      node->size = big;
      return node;
    }

  if (g_str_equal (name, "frac") || g_str_equal (name, "dfrac") || g_str_equal (name, "tfrac")
      || g_str_equal (name, "cfrac"))
    {
      node = new_node (P, KA_TEX_FRAC);
      node->cls = KA_TEX_CLASS_INNER;
      node->body = parse_argument (P);
      if (!failed (P))
        node->sub = parse_argument (P);
      return node;
    }

  if (g_str_equal (name, "binom") || g_str_equal (name, "dbinom") || g_str_equal (name, "tbinom"))
    {
      KaTexNode *frac = new_node (P, KA_TEX_FRAC);

      frac->flag = TRUE;
      frac->body = parse_argument (P);
      if (!failed (P))
        frac->sub = parse_argument (P);
      node = new_node (P, KA_TEX_DELIMITED);
      node->cls = KA_TEX_CLASS_INNER;
      node->flag = TRUE;
      node->text = g_strdup ("(");
      node->text2 = g_strdup (")");
      node->body = frac;
      return node;
    }

  if (g_str_equal (name, "sqrt"))
    {
      node = new_node (P, KA_TEX_SQRT);
      if (peek_char (P, '['))
        {
          P->p++;
          if (!enter (P))
            return node;
          node->sub = parse_list (P, STOP_BRACK);
          leave (P);
          if (failed (P))
            return node;
          if (P->p < P->end && *P->p == ']')
            P->p++;
          else
            {
              fail (P, KA_TEX_ERROR_UNBALANCED, "Missing ] after the root index");
              return node;
            }
        }
      node->body = parse_argument (P);
      return node;
    }

  if (g_str_equal (name, "left"))
    return parse_left_right (P);

  if (g_str_equal (name, "right"))
    {
      fail (P, KA_TEX_ERROR_UNBALANCED, "\\right without \\left");
      return NULL;
    }

  if (g_str_equal (name, "middle"))
    {
      g_autofree char *delimiter = read_delimiter (P);

      node = new_leaf (P, KA_TEX_SYMBOL, KA_TEX_CLASS_REL, delimiter);
      node->size = -1;  /* as tall as the enclosing \left…\right */
      return node;
    }

  if (g_str_equal (name, "begin"))
    return parse_environment (P);

  if (g_str_equal (name, "end"))
    {
      fail (P, KA_TEX_ERROR_UNBALANCED, "\\end without \\begin");
      return NULL;
    }

  if (g_str_equal (name, "boxed") || g_str_equal (name, "fbox") || g_str_equal (name, "framebox"))
    {
      node = new_node (P, KA_TEX_BOXED);
      node->body = parse_argument (P);
      return node;
    }

  if (g_str_equal (name, "underline") || g_str_equal (name, "underbrace"))
    {
      node = new_node (P, KA_TEX_UNDERLINE);
      node->body = parse_argument (P);
      return node;
    }

  if (g_str_equal (name, "overset") || g_str_equal (name, "underset")
      || g_str_equal (name, "stackrel") || g_str_equal (name, "xrightarrow")
      || g_str_equal (name, "xleftarrow"))
    {
      KaTexNode *script;

      node = new_node (P, KA_TEX_SCRIPTS);
      node->limits = KA_TEX_LIMITS_ALWAYS;
      if (name[0] == 'x')
        {
          g_autofree char *below = read_optional_raw (P);

          if (below != NULL)
            node->sub = new_leaf (P, KA_TEX_TEXT, KA_TEX_CLASS_ORD, below);
          node->body = new_leaf (P, KA_TEX_SYMBOL, KA_TEX_CLASS_REL,
                                 name[1] == 'r' ? "⟶" : "⟵");
          node->sup = parse_argument (P);
          node->cls = KA_TEX_CLASS_REL;
          return node;
        }
      script = parse_argument (P);
      if (failed (P))
        {
          ka_tex_node_free (script);
          return node;
        }
      node->body = parse_argument (P);
      if (node->body != NULL)
        node->cls = node->body->cls;
      if (g_str_equal (name, "underset"))
        node->sub = script;
      else
        node->sup = script;
      if (g_str_equal (name, "stackrel"))
        node->cls = KA_TEX_CLASS_REL;
      return node;
    }

  if (g_str_equal (name, "not"))
    {
      node = parse_argument (P);
      return negate (P, node);
    }

  if (g_str_equal (name, "pmod") || g_str_equal (name, "pod"))
    {
      KaTexNode *arg = parse_argument (P);
      KaTexNode *mod = new_leaf (P, KA_TEX_SYMBOL, KA_TEX_CLASS_ORD, "mod");

      mod->font = KA_TEX_FONT_ROMAN;
      if (arg == NULL)
        {
          ka_tex_node_free (mod);
          return NULL;
        }
      return make_row (P, space (P, 8), new_leaf (P, KA_TEX_SYMBOL, KA_TEX_CLASS_OPEN, "("),
                       mod, space (P, 6), arg,
                       new_leaf (P, KA_TEX_SYMBOL, KA_TEX_CLASS_CLOSE, ")"), NULL);
    }

  if (g_str_equal (name, "mod"))
    {
      KaTexNode *mod = new_leaf (P, KA_TEX_SYMBOL, KA_TEX_CLASS_ORD, "mod");

      mod->font = KA_TEX_FONT_ROMAN;
      return make_row (P, space (P, 12), mod, space (P, 6), NULL);
    }

  if (g_str_equal (name, "mathop") || g_str_equal (name, "mathrel") || g_str_equal (name, "mathbin")
      || g_str_equal (name, "mathord") || g_str_equal (name, "mathopen")
      || g_str_equal (name, "mathclose") || g_str_equal (name, "mathpunct")
      || g_str_equal (name, "mathinner"))
    {
      node = parse_argument (P);
      if (node != NULL)
        node->cls = name[4] == 'o' && name[5] == 'p' && name[6] == '\0' ? KA_TEX_CLASS_OP
                    : name[4] == 'r' ? KA_TEX_CLASS_REL
                    : name[4] == 'b' ? KA_TEX_CLASS_BIN
                    : g_str_equal (name, "mathopen") ? KA_TEX_CLASS_OPEN
                    : g_str_equal (name, "mathclose") ? KA_TEX_CLASS_CLOSE
                    : g_str_equal (name, "mathpunct") ? KA_TEX_CLASS_PUNCT
                    : g_str_equal (name, "mathinner") ? KA_TEX_CLASS_INNER
                    : KA_TEX_CLASS_ORD;
      return node;
    }

  if (g_str_equal (name, "color") || g_str_equal (name, "textcolor")
      || g_str_equal (name, "colorbox"))
    {
      /* Colours are not ours to choose: the answer is drawn in the theme's colour. */
      g_free (read_raw_group (P, FALSE));
      if (g_str_equal (name, "color"))
        return new_node (P, KA_TEX_ROW);
      return parse_argument (P);
    }

  if (g_str_equal (name, "tag"))
    {
      g_autofree char *tag = read_raw_group (P, TRUE);
      g_autofree char *text = g_strdup_printf ("(%s)", tag);

      return make_row (P, space (P, 36), new_leaf (P, KA_TEX_TEXT, KA_TEX_CLASS_ORD, text), NULL);
    }

  if (g_str_equal (name, "label") || g_str_equal (name, "phantom") || g_str_equal (name, "hphantom")
      || g_str_equal (name, "vphantom"))
    {
      /* Invisible by definition. */
      g_free (read_raw_group (P, FALSE));
      return new_node (P, KA_TEX_ROW);
    }

  if (g_str_equal (name, "displaystyle") || g_str_equal (name, "textstyle")
      || g_str_equal (name, "scriptstyle") || g_str_equal (name, "scriptscriptstyle")
      || g_str_equal (name, "nonumber") || g_str_equal (name, "notag")
      || g_str_equal (name, "limits") || g_str_equal (name, "nolimits")
      || g_str_equal (name, "hline") || g_str_equal (name, "left.")
      || g_str_equal (name, "allowbreak") || g_str_equal (name, "nobreak")
      || g_str_equal (name, "strut") || g_str_equal (name, "relax"))
    return new_node (P, KA_TEX_ROW);

  /* Unknown: shown as written, never dropped; its brace groups follow it. */
  {
    g_autofree char *literal = g_strconcat ("\\", name, NULL);

    node = new_leaf (P, KA_TEX_UNKNOWN, KA_TEX_CLASS_ORD, literal);
    for (guint i = 0; i < 4 && peek_char (P, '{') && !failed (P); i++)
      {
        KaTexNode *group;

        if (!enter (P))
          break;
        group = parse_group (P);
        leave (P);
        ka_tex_node_append (node, group);
      }
    return node;
  }
}

static KaTexClass
char_class (gunichar c)
{
  switch (c)
    {
    case '+': case '*': case 0x2212: case 0x00D7: case 0x00B1: case 0x2213: case 0x00F7:
    case 0x22C5: case 0x00B7: case 0x2227: case 0x2228: case 0x222A: case 0x2229:
      return KA_TEX_CLASS_BIN;
    case '=': case '<': case '>': case ':': case 0x2264: case 0x2265: case 0x2260:
    case 0x2248: case 0x2192: case 0x2190: case 0x21D2: case 0x21D4: case 0x2208:
    case 0x2261: case 0x221D: case 0x21CC:
      return KA_TEX_CLASS_REL;
    case '(': case '[':
      return KA_TEX_CLASS_OPEN;
    case ')': case ']': case '!': case '?':
      return KA_TEX_CLASS_CLOSE;
    case ',': case ';':
      return KA_TEX_CLASS_PUNCT;
    default:
      return KA_TEX_CLASS_ORD;
    }
}

/* One atom: a character, a number, a group or a command with its arguments. NULL when
 * nothing was made (an error, or a token that stops lists). */
static KaTexNode *
parse_atom (Parser *P)
{
  const char *start;
  gunichar c;
  gboolean one_token = P->one_token;

  P->one_token = FALSE;
  skip_space (P);
  if (P->p >= P->end)
    return NULL;

  start = P->p;
  switch (*P->p)
    {
    case '{':
      {
        KaTexNode *group;

        if (!enter (P))
          return NULL;
        group = parse_group (P);
        leave (P);
        return group;
      }

    case '\\':
      {
        g_autofree char *name = read_command (P);
        KaTexNode *node;

        if (!enter (P))
          return NULL;
        node = parse_command (P, name);
        leave (P);
        return node;
      }

    case '~':
      P->p++;
      return space (P, 6);

    case '-':
      P->p++;
      return new_leaf (P, KA_TEX_SYMBOL, KA_TEX_CLASS_BIN, "−");

    case '*':
      P->p++;
      return new_leaf (P, KA_TEX_SYMBOL, KA_TEX_CLASS_BIN, "∗");

    case '\'':
      P->p++;
      return new_leaf (P, KA_TEX_SYMBOL, KA_TEX_CLASS_ORD, "′");

    default:
      break;
    }

  if (g_ascii_isdigit (*P->p))
    {
      g_autofree char *number = NULL;

      if (one_token)
        P->p++;
      while (!one_token && P->p < P->end && (g_ascii_isdigit (*P->p)
                               || (*P->p == '.' && P->p + 1 < P->end && g_ascii_isdigit (P->p[1]))))
        P->p++;
      number = g_strndup (start, P->p - start);
      if (P->alphabet != NULL)
        {
          GString *mapped = g_string_new (NULL);

          for (const char *q = number; *q != '\0'; q++)
            g_string_append_unichar (mapped, ka_tex_alphabet_char (P->alphabet, *q));
          g_free (number);
          number = g_string_free (mapped, FALSE);
        }
      return new_leaf (P, KA_TEX_SYMBOL, KA_TEX_CLASS_ORD, number);
    }

  c = g_utf8_get_char_validated (P->p, P->end - P->p);
  if (c == (gunichar) -1 || c == (gunichar) -2)
    {
      /* Never happens with ka_tex_parse()'s sanitised copy; skip a byte to be safe. */
      P->p++;
      return new_leaf (P, KA_TEX_SYMBOL, KA_TEX_CLASS_ORD, "\xef\xbf\xbd");
    }
  P->p = g_utf8_next_char (P->p);

  {
    char buffer[8] = { 0 };
    KaTexNode *node;
    gunichar mapped = ka_tex_alphabet_char (P->alphabet, c);

    g_unichar_to_utf8 (mapped, buffer);
    node = new_leaf (P, KA_TEX_SYMBOL, char_class (c), buffer);
    /* Letters outside Latin and Greek (Hangul in "자산 = 부채 + 자본") stay upright. */
    if (c > 0x3FF && g_unichar_isalpha (c) && node->font == KA_TEX_FONT_DEFAULT)
      node->font = KA_TEX_FONT_ROMAN;
    return node;
  }
}

/* Whether white space precedes P->p that does not just end a command ("\\lambda t"). */
static gboolean
source_spaced (Parser *P)
{
  const char *q = P->p;

  if (q <= P->start || !g_ascii_isspace (q[-1]))
    return FALSE;
  while (q > P->start && g_ascii_isspace (q[-1]))
    q--;
  while (q > P->start && g_ascii_isalpha (q[-1]))
    q--;
  return !(q > P->start && q[-1] == '\\');
}

/* A horizontal list up to the end of input or a token in @stop. */
static KaTexNode *
parse_list (Parser *P,
            guint   stop)
{
  KaTexNode *row = new_node (P, KA_TEX_ROW);

  if (!enter (P))
    return row;

  while (!failed (P) && !at_end (P))
    {
      char c = *P->p;

      if (c == '}')
        {
          if (!(stop & STOP_BRACE))
            fail (P, KA_TEX_ERROR_UNBALANCED, "Unexpected closing brace");
          break;
        }
      if (c == ']' && (stop & STOP_BRACK))
        break;
      if (c == '&')
        {
          if (stop & STOP_CELL)
            break;
          P->p++;
          continue;  /* alignment outside a grid: nothing to align */
        }
      if (c == '\\' && P->p + 1 < P->end && P->p[1] == '\\')
        {
          if (stop & STOP_CELL)
            break;
          P->p += 2;
          g_free (read_optional_raw (P));
          ka_tex_node_append (row, space (P, 18));
          continue;
        }
      if (c == '\\' && peek_command (P, "right"))
        {
          if (!(stop & STOP_RIGHT))
            fail (P, KA_TEX_ERROR_UNBALANCED, "\\right without \\left");
          break;
        }
      if (c == '\\' && peek_command (P, "end"))
        {
          if (!(stop & STOP_END))
            fail (P, KA_TEX_ERROR_UNBALANCED, "\\end without \\begin");
          break;
        }
      if (c == '\\' && (peek_command (P, "limits") || peek_command (P, "nolimits")))
        {
          g_autofree char *name = read_command (P);
          guint n = ka_tex_node_n_children (row);

          if (n > 0)
            ka_tex_node_child (row, n - 1)->limits = name[0] == 'l' ? KA_TEX_LIMITS_ALWAYS
                                                                    : KA_TEX_LIMITS_SIDE;
          continue;
        }
      if (c == '^' || c == '_')
        {
          KaTexNode *script;

          P->p++;
          script = parse_argument (P);
          if (script == NULL)
            break;
          attach_script (P, row, c == '^', script);
          continue;
        }

      {
        gboolean spaced = source_spaced (P);
        KaTexNode *atom = parse_atom (P);

        if (atom == NULL)
          break;
        atom->spaced = spaced;
        /* Primes are superscripts: f'(x), f''(x). */
        if (is_primes (atom) && ka_tex_node_n_children (row) > 0)
          {
            attach_script (P, row, TRUE, atom);
            continue;
          }
        ka_tex_node_append (row, atom);
      }
    }

  leave (P);
  return row;
}

/**
 * ka_tex_parse:
 * @tex: TeX math source, without its delimiters (UTF-8; invalid bytes are replaced)
 * @length: bytes in @tex, or -1 if NUL-terminated
 * @error: return location for a #KA_TEX_ERROR
 *
 * Parses the TeX math subset model answers use (see docs/rendering.md) into a tree.
 * Unknown commands are kept as %KA_TEX_UNKNOWN nodes, not errors. A formula longer than
 * %KA_TEX_MAX_LENGTH bytes, nested deeper than %KA_TEX_MAX_DEPTH or with unbalanced braces,
 * \left/\right or \begin/\end fails. A formula with \\ at its top level becomes a
 * %KA_TEX_MATRIX of its lines.
 *
 * Returns: (transfer full) (nullable): the tree (a %KA_TEX_ROW or %KA_TEX_MATRIX), or
 *   %NULL with @error set
 */
KaTexNode *
ka_tex_parse (const char  *tex,
              gssize       length,
              GError     **error)
{
  g_autofree char *copy = NULL;
  Parser P = { 0 };
  KaTexNode *root;
  gsize len;

  g_return_val_if_fail (tex != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (tex == NULL)
    tex = "";
  len = length < 0 ? strlen (tex) : strnlen (tex, length);
  if (len > KA_TEX_MAX_LENGTH)
    {
      g_set_error (error, KA_TEX_ERROR, KA_TEX_ERROR_TOO_LARGE,
                   "Formula longer than %d bytes", KA_TEX_MAX_LENGTH);
      return NULL;
    }

  copy = g_utf8_make_valid (tex, len);
  P.start = P.p = copy;
  P.end = copy + strlen (copy);
  P.font = KA_TEX_FONT_DEFAULT;

  /* A top level with & or \\ is a grid of lines (\[ a \\ b \]); otherwise one row. */
  root = parse_list (&P, STOP_CELL);
  if (!P.error && P.p < P.end)
    {
      KaTexNode *grid;

      P.p = copy;
      P.n_nodes = 0;
      ka_tex_node_free (root);
      grid = parse_grid (&P, NULL);
      root = new_node (&P, KA_TEX_ROW);
      ka_tex_node_append (root, grid);
    }

  if (P.error != NULL)
    {
      ka_tex_node_free (root);
      g_propagate_error (error, P.error);
      return NULL;
    }
  return root;
}
