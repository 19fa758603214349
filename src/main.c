/* main.c: kai-arena, the desktop app
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kai-arena"

#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "ka-application.h"

/* Returns: (transfer full) (nullable): the meson build directory when this executable
 * runs uninstalled from it (`_build/src/kai-arena`), else NULL. */
static char *
find_uninstalled_build_root (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *root = NULL;
  g_autofree char *ninja = NULL;

  if (exe == NULL)
    return NULL;

  dir = g_path_get_dirname (exe);
  root = g_path_get_dirname (dir);
  ninja = g_build_filename (root, "build.ninja", NULL);

  if (!g_file_test (ninja, G_FILE_TEST_IS_REGULAR))
    return NULL;

  return g_steal_pointer (&root);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(KaApplication) app = NULL;
  g_autofree char *build_root = find_uninstalled_build_root ();
  const char *localedir = LOCALEDIR;
  g_autofree char *build_po = NULL;

  /* An uninstalled build finds its compiled schema and translations in the build tree,
   * so that `_build/src/kai-arena --pack data/packs/sample-ko.json` just works. */
  if (build_root != NULL)
    {
      g_autofree char *schemas = g_build_filename (build_root, "data", NULL);

      build_po = g_build_filename (build_root, "po", NULL);
      if (g_file_test (build_po, G_FILE_TEST_IS_DIR))
        localedir = build_po;
      g_setenv ("GSETTINGS_SCHEMA_DIR", schemas, FALSE);
    }

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_("K-AI Arena"));

  app = ka_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
