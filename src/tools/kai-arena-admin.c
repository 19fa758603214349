/* kai-arena-admin.c: the organisers' command-line tool
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "ka-admin.h"

typedef struct
{
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "pack",         ka_admin_pack,         "pack build|verify: make or check a battle pack" },
  { "ballots",      ka_admin_ballots,      "list the ballots of a store (jsonl or csv)" },
  { "verify-chain", ka_admin_verify_chain, "check every device's ballot hash chain" },
  { "simulate",     ka_admin_simulate,     "cast ballots with a simulated voter" },
  { "sync",         ka_admin_sync,         "send queued ballots to a collector once" },
  { "tally",        ka_admin_tally,        "Bradley–Terry leaderboard with bootstrap intervals" },
  { "export",       ka_admin_export,       "export ballots (CSV, JSON Lines, FastChat) with a manifest" },
  { "audit",        ka_admin_audit,        "check an export against its manifest and chains" },
  { "kiosk",        ka_admin_kiosk,        "kiosk set-pin|status: the operator PIN of a kiosk store" },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "Usage: kai-arena-admin COMMAND [OPTION…]\n\nCommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-14s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\nRun 'kai-arena-admin COMMAND --help' for a command's options.\n");
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("kai-arena-admin");

  if (argc < 2)
    {
      print_usage (stderr);
      return 2;
    }

  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_usage (stdout);
      return 0;
    }

  if (g_str_equal (argv[1], "--version"))
    {
      printf ("kai-arena-admin %s\n", PACKAGE_VERSION);
      return 0;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (argv[1], commands[i].name))
        return commands[i].run (argc - 1, argv + 1);
    }

  fprintf (stderr, "kai-arena-admin: unknown command '%s'\n\n", argv[1]);
  print_usage (stderr);
  return 2;
}
