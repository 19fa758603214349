/* ka-admin.h: subcommands of kai-arena-admin
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Each takes the arguments after its subcommand word (argv[0] is the subcommand) and
 * returns the process exit status: 0 success, 1 a check failed or an error, 2 usage. */
int ka_admin_pack         (int argc, char **argv);   /* pack build | pack verify */
int ka_admin_ballots      (int argc, char **argv);   /* ballots */
int ka_admin_verify_chain (int argc, char **argv);   /* verify-chain */
int ka_admin_simulate     (int argc, char **argv);   /* simulate */
int ka_admin_sync         (int argc, char **argv);   /* sync */
int ka_admin_tally        (int argc, char **argv);   /* tally */
int ka_admin_export       (int argc, char **argv);   /* export */
int ka_admin_audit        (int argc, char **argv);   /* audit */
int ka_admin_kiosk        (int argc, char **argv);   /* kiosk set-pin | kiosk status */

G_END_DECLS
