/* ka-code-view.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-code-view"

#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>
#include <gtksourceview/gtksource.h>

#include "ka-code-view.h"

/* Fence names models use that GtkSourceView spells differently. */
static const struct
{
  const char *fence;
  const char *id;
} language_aliases[] = {
  { "py", "python3" }, { "python", "python3" }, { "python3", "python3" },
  { "js", "js" }, { "javascript", "js" }, { "jsx", "jsx" }, { "ts", "typescript" },
  { "tsx", "typescript-jsx" }, { "sh", "sh" }, { "bash", "sh" }, { "shell", "sh" },
  { "zsh", "sh" }, { "console", "sh" }, { "c++", "cpp" }, { "cs", "c-sharp" },
  { "csharp", "c-sharp" }, { "c#", "c-sharp" }, { "yml", "yaml" }, { "md", "markdown" },
  { "html", "html" }, { "xml", "xml" }, { "rs", "rust" }, { "golang", "go" },
  { "kt", "kotlin" }, { "rb", "ruby" }, { "ps1", "powershell" }, { "tex", "latex" },
  { "dockerfile", "docker" }, { "vb", "vbnet" }, { "objc", "objc" }, { "plaintext", NULL },
  { "text", NULL }, { "txt", NULL },
};

static GtkSourceLanguage *
language_for_fence (const char *fence)
{
  GtkSourceLanguageManager *manager = gtk_source_language_manager_get_default ();
  g_autofree char *lower = NULL;

  if (fence == NULL || fence[0] == '\0')
    return NULL;

  lower = g_ascii_strdown (fence, -1);
  for (gsize i = 0; i < G_N_ELEMENTS (language_aliases); i++)
    if (g_str_equal (lower, language_aliases[i].fence))
      return language_aliases[i].id != NULL
             ? gtk_source_language_manager_get_language (manager, language_aliases[i].id)
             : NULL;

  return gtk_source_language_manager_get_language (manager, lower);
}

static void
update_scheme (GtkSourceBuffer *buffer,
               gboolean         dark)
{
  GtkSourceStyleSchemeManager *manager = gtk_source_style_scheme_manager_get_default ();
  GtkSourceStyleScheme *scheme;

  scheme = gtk_source_style_scheme_manager_get_scheme (manager, dark ? "Adwaita-dark" : "Adwaita");
  if (scheme != NULL)
    gtk_source_buffer_set_style_scheme (buffer, scheme);
}

static void
dark_changed_cb (AdwStyleManager *manager,
                 GParamSpec      *pspec,
                 GtkSourceBuffer *buffer)
{
  update_scheme (buffer, adw_style_manager_get_dark (manager));
}

/**
 * ka_code_view_new:
 * @code: the code as the model wrote it (sanitized UTF-8), without the fences
 * @language: (nullable): the fence's info string's first word ("python", "bash")
 *
 * Returns: (transfer floating): a GtkScrolledWindow (horizontal scrolling only) holding a
 *   read-only GtkSourceView, with the style classes "ka-code" and "ka-code-<language>"
 */
GtkWidget *
ka_code_view_new (const char *code,
                  const char *language)
{
  g_autoptr(GtkSourceBuffer) buffer = NULL;
  GtkSourceLanguage *lang = language_for_fence (language);
  GdkDisplay *display = gdk_display_get_default ();
  GtkWidget *scroller;
  GtkWidget *view;
  g_autofree char *label = NULL;

  buffer = gtk_source_buffer_new (NULL);
  if (lang != NULL)
    gtk_source_buffer_set_language (buffer, lang);
  gtk_source_buffer_set_highlight_matching_brackets (buffer, FALSE);
  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (buffer), code != NULL ? code : "", -1);
  if (display != NULL)
    {
      AdwStyleManager *manager = adw_style_manager_get_for_display (display);

      update_scheme (buffer, adw_style_manager_get_dark (manager));
      g_signal_connect_object (manager, "notify::dark", G_CALLBACK (dark_changed_cb), buffer, 0);
    }

  view = gtk_source_view_new_with_buffer (buffer);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_cursor_visible (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_NONE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 10);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 10);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 8);
  gtk_widget_add_css_class (view, "ka-code-text");

  /* Translators: the accessible name of a code block in an answer; %s is its language
   * as the answer wrote it ("python"), or empty. */
  label = (language != NULL && language[0] != '\0')
          ? g_strdup_printf (_("Code: %s"), language) : g_strdup (_("Code"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);

  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller),
                                  GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_widget_add_css_class (scroller, "ka-code");
  if (lang != NULL)
    {
      g_autofree char *class_name = g_strdup_printf ("ka-code-%s",
                                                     gtk_source_language_get_id (lang));

      gtk_widget_add_css_class (scroller, class_name);
    }

  return scroller;
}

/**
 * ka_code_view_get_view:
 * @code_view: a widget from ka_code_view_new()
 *
 * Returns: (transfer none): its GtkSourceView
 */
GtkTextView *
ka_code_view_get_view (GtkWidget *code_view)
{
  GtkWidget *child;

  g_return_val_if_fail (GTK_IS_SCROLLED_WINDOW (code_view), NULL);

  child = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (code_view));
  if (GTK_IS_VIEWPORT (child))
    child = gtk_viewport_get_child (GTK_VIEWPORT (child));

  return GTK_TEXT_VIEW (child);
}
