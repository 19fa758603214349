/* ka-gui-test-support.h: what the widget tests share
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The GUI tests (test-window, test-first-run, test-kiosk, test-sync-ui, test-panes,
 * test-organiser) each build a real store in a temporary folder, a pack, a session and a
 * window around them, drive it, and pump the main loop until something has happened. The
 * pieces they share live here; each test keeps its own fixture struct, cases and
 * assertions. Temporary folders come from ka-test-support.h (ka_test_make_tmp_dir(),
 * ka_test_remove_tree()), which every user of this library links too.
 */

#pragma once

#include <adwaita.h>

#include "ka-application.h"
#include "ka-session.h"
#include "ka-window.h"

G_BEGIN_DECLS

/* Start-up ------------------------------------------------------------------------- */

void         ka_gui_test_init               (int                *argc,
                                             char             ***argv,
                                             gboolean            as_the_app);

/* The main loop ------------------------------------------------------------------- */

typedef gboolean (*KaGuiTestCondition) (gpointer data);

void         ka_gui_test_pump               (guint               ms);
void         ka_gui_test_wait_until         (KaGuiTestCondition  cond,
                                             gpointer            data,
                                             const char         *what);
void         ka_gui_test_flush              (void);
gboolean     ka_gui_test_session_is_revealed (gpointer           session);

/* The widget tree ----------------------------------------------------------------- */

GtkWidget   *ka_gui_test_find_by_type       (GtkWidget          *widget,
                                             GType               type);
void         ka_gui_test_collect            (GtkWidget          *widget,
                                             GType               type,
                                             GPtrArray          *found);
GtkWidget   *ka_gui_test_find_by_action     (GtkWidget          *widget,
                                             const char         *action_name);

/* Packs, sessions, windows, applications ------------------------------------------- */

/* A small pack built in code (DESIGN.md §3): every model answers every prompt. */
typedef struct
{
  const char *model_id;
  const char *display_name;
  const char *organisation;
} KaGuiTestModel;

/* Returns: (transfer full): model @model's answer to turn @turn of prompt @prompt */
typedef char *(*KaGuiTestAnswerFunc) (guint    prompt,
                                      guint    model,
                                      guint    turn,
                                      gpointer data);

typedef struct
{
  const char           *pack_id;
  const char           *title_ko;
  const char           *title_en;
  const KaGuiTestModel *models;
  guint                 n_models;
  gboolean              sealed;     /* no "models", no "model_id": as citizens get it */
  const char * const   *prompts;    /* n_prompts rows of n_turns turns; NULL ends a row early */
  guint                 n_prompts;
  guint                 n_turns;
  KaGuiTestAnswerFunc   answer;
  gpointer              answer_data;
} KaGuiTestPack;

char        *ka_gui_test_pack_json          (const KaGuiTestPack *pack);

/* A window around a session on a pack and a store in a temporary folder: what the voting
 * window tests set up (tests with more to hold keep their own struct). */
typedef struct
{
  char      *tmpdir;     /* (owned) */
  char      *pack_path;  /* (owned) */
  char      *db_path;    /* (owned) */
  KaSession *session;    /* (owned) (nullable) */
  KaWindow  *window;     /* (owned) (nullable) */
} KaGuiTestFixture;

void         ka_gui_test_fixture_clear      (KaGuiTestFixture   *f);

char        *ka_gui_test_sample_pack_path   (void);
char        *ka_gui_test_write_file         (const char         *dir,
                                             const char         *name,
                                             const char         *contents);
KaSession   *ka_gui_test_open_session       (const char         *pack_path,
                                             const char         *db_path,
                                             const char         *ui_language,
                                             KaMode              mode);
KaWindow    *ka_gui_test_new_window         (GtkApplication     *application,
                                             KaSession          *session);
KaWindow    *ka_gui_test_open_window        (GtkApplication     *application,
                                             KaSession          *session,
                                             int                 width,
                                             int                 height);
void         ka_gui_test_destroy_window     (gpointer            window);
void         ka_gui_test_close              (gpointer            window_ptr,
                                             KaSession         **session);
KaApplication *ka_gui_test_register_application (const char     *name);
int          ka_gui_test_run_application    (KaApplication      *application,
                                             const char * const *argv,
                                             GCallback           window_added,
                                             gpointer            data);

/* Real input through the X server's XTEST extension ---------------------------------- */

/* Modifiers held by ka_gui_test_send_key(). */
typedef enum
{
  KA_GUI_TEST_MOD_CTRL  = 1 << 0,
  KA_GUI_TEST_MOD_SHIFT = 1 << 1,
  KA_GUI_TEST_MOD_ALT   = 1 << 2,
} KaGuiTestModifiers;

gboolean     ka_gui_test_have_xtest         (void);
void         ka_gui_test_send_key           (GtkWindow          *window,
                                             guint               keysym,
                                             KaGuiTestModifiers  mods);
void         ka_gui_test_send_key_state     (GtkWindow          *window,
                                             guint               keysym,
                                             gboolean            press);
void         ka_gui_test_tap_widget         (GtkWidget          *widget,
                                             gboolean            pump_after);
void         ka_gui_test_move_pointer       (int                 x,
                                             int                 y);

G_END_DECLS
