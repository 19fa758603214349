/* ka-tex-node.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-tex"

#include "config.h"

#include "ka-tex-node.h"

/* Trees come only from ka_tex_parse(), which refuses nesting deeper than
 * KA_TEX_MAX_DEPTH, so the recursion in this file is bounded. */

/**
 * ka_tex_node_new:
 * @kind: what the node is
 *
 * Returns: (transfer full): an empty node of class ord in the default font
 */
KaTexNode *
ka_tex_node_new (KaTexKind kind)
{
  KaTexNode *node = g_new0 (KaTexNode, 1);

  node->kind = kind;
  node->cls = KA_TEX_CLASS_ORD;
  node->font = KA_TEX_FONT_DEFAULT;
  node->limits = KA_TEX_LIMITS_SIDE;
  if (kind == KA_TEX_ROW || kind == KA_TEX_MATRIX || kind == KA_TEX_UNKNOWN)
    node->children = g_ptr_array_new_with_free_func ((GDestroyNotify) ka_tex_node_free);

  return node;
}

/**
 * ka_tex_node_new_text:
 * @kind: %KA_TEX_SYMBOL, %KA_TEX_TEXT or %KA_TEX_UNKNOWN
 * @cls: its spacing class
 * @text: UTF-8, copied
 *
 * Returns: (transfer full): a leaf node
 */
KaTexNode *
ka_tex_node_new_text (KaTexKind   kind,
                      KaTexClass  cls,
                      const char *text)
{
  KaTexNode *node = ka_tex_node_new (kind);

  node->cls = cls;
  node->text = g_strdup (text != NULL ? text : "");

  return node;
}

/**
 * ka_tex_node_append:
 * @row: a node with children (row, matrix, unknown command)
 * @child: (transfer full): the node to append
 */
void
ka_tex_node_append (KaTexNode *row,
                    KaTexNode *child)
{
  g_return_if_fail (row != NULL && row->children != NULL);
  g_return_if_fail (child != NULL);

  g_ptr_array_add (row->children, child);
}

/**
 * ka_tex_node_n_children:
 * @node: (nullable): a node
 *
 * Returns: the number of children (row items, matrix rows, an unknown command's groups)
 */
guint
ka_tex_node_n_children (const KaTexNode *node)
{
  return node != NULL && node->children != NULL ? node->children->len : 0;
}

/**
 * ka_tex_node_child:
 * @node: a node with children
 * @index: less than ka_tex_node_n_children()
 *
 * Returns: (transfer none): the child at @index
 */
KaTexNode *
ka_tex_node_child (const KaTexNode *node,
                   guint            index)
{
  g_return_val_if_fail (index < ka_tex_node_n_children (node), NULL);

  return g_ptr_array_index (node->children, index);
}

/**
 * ka_tex_node_free:
 * @node: (nullable) (transfer full): a tree
 *
 * Frees @node and everything under it.
 */
void
ka_tex_node_free (KaTexNode *node)
{
  if (node == NULL)
    return;

  g_clear_pointer (&node->text, g_free);
  g_clear_pointer (&node->text2, g_free);
  g_clear_pointer (&node->body, ka_tex_node_free);
  g_clear_pointer (&node->sub, ka_tex_node_free);
  g_clear_pointer (&node->sup, ka_tex_node_free);
  g_clear_pointer (&node->children, g_ptr_array_unref);
  g_free (node);
}

/**
 * ka_tex_node_depth:
 * @node: (nullable): a tree
 *
 * Returns: the number of nodes on the longest path from @node down (0 for %NULL)
 */
guint
ka_tex_node_depth (const KaTexNode *node)
{
  const KaTexNode *parts[3];
  guint depth = 0;

  if (node == NULL)
    return 0;

  /* (not MAX (depth, ka_tex_node_depth (…)), which would walk each subtree twice) */
  parts[0] = node->body;
  parts[1] = node->sub;
  parts[2] = node->sup;
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      guint d = ka_tex_node_depth (parts[i]);

      depth = MAX (depth, d);
    }
  for (guint i = 0; i < ka_tex_node_n_children (node); i++)
    {
      guint d = ka_tex_node_depth (ka_tex_node_child (node, i));

      depth = MAX (depth, d);
    }

  return depth + 1;
}
