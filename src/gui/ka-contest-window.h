/* ka-contest-window.h
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/*
 * KaContestWindow: "About the Contest" (issue 6): what the programme is, why the vote is
 * blind, how ballots are counted and how the count can be checked. Static text only; it
 * names no model and no team. Escape closes it.
 */
#define KA_TYPE_CONTEST_WINDOW (ka_contest_window_get_type ())

G_DECLARE_FINAL_TYPE (KaContestWindow, ka_contest_window, KA, CONTEST_WINDOW, AdwWindow)

KaContestWindow *ka_contest_window_new (GtkWindow *parent);

G_END_DECLS
