/* ka-application.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-application"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "ka-application.h"
#include "ka-contest-window.h"
#include "ka-identity.h"
#include "ka-kiosk.h"
#include "ka-organiser-window.h"
#include "ka-pack.h"
#include "ka-preferences-window.h"
#include "ka-scheduler.h"
#include "ka-store.h"
#include "ka-sync.h"
#include "ka-window.h"

#define SAMPLE_PACK "sample-ko.json"

struct _KaApplication
{
  AdwApplication  parent_instance;

  char           *pack_path;       /* (nullable): from --pack */
  char           *database_path;   /* (nullable): from --database */
  gboolean        organiser;       /* --organiser: open the results, not a vote */
  gboolean        kiosk;           /* --kiosk: an unattended venue kiosk (ka-kiosk.c) */

  /* background sync (issue 3): one KaSync for the voting window's store */
  GSettings      *settings;        /* (nullable): watched for "server-url" */
  KaStore        *sync_store;      /* (nullable): the store ballots are sent from */
  gboolean        sync_kiosk;      /* a kiosk enrols with the organisers' code only */
  KaSync         *sync;            /* (nullable): NULL while no collector is set */
};

G_DEFINE_FINAL_TYPE (KaApplication, ka_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_SYNC,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const GOptionEntry main_entries[] = {
  { "pack", 'p', 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Vote on the battle pack in FILE instead of the built-in sample"), N_("FILE") },
  { "database", 'd', 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Keep ballots in the SQLite database FILE"), N_("FILE") },
  { "organiser", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Open the results for organisers (leaderboard, intervals, exports)"), NULL },
  { "kiosk", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Run full screen as an unattended venue kiosk (leave it with the operator PIN)"), NULL },
  { NULL }
};

/**
 * ka_application_get_ui_language:
 *
 * The language the interface is really shown in, recorded in each ballot's `ui_language`.
 * It is read from the message catalogue itself rather than from the environment: gettext
 * ignores `LANGUAGE=ko` under the C locale, and a ballot must not claim a Korean screen that
 * showed English.
 *
 * Returns: (transfer none): "ko" or "en"
 */
const char *
ka_application_get_ui_language (void)
{
  /* Translators: the language code of this translation, recorded with every ballot.
   * Korean: "ko". Do not translate into anything but a language code. */
  const char *tag = C_("ui-language", "en");

  if (g_str_equal (tag, "ko"))
    return "ko";

  return "en";
}

static char *
existing_file (const char *path)
{
  if (path != NULL && g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return g_canonicalize_filename (path, NULL);

  return NULL;
}

/**
 * ka_application_find_default_pack:
 *
 * Finds the built-in sample pack: `PKGDATADIR/packs/sample-ko.json` when installed, else
 * `$KA_PACK_DIR/sample-ko.json`, else `data/packs/sample-ko.json` in the source tree of an
 * uninstalled build (next to the build directory of the running executable, or under the
 * current directory).
 *
 * Returns: (transfer full) (nullable): an absolute path, or %NULL if there is none
 */
char *
ka_application_find_default_pack (void)
{
  g_autofree char *installed = g_build_filename (PKGDATADIR, "packs", SAMPLE_PACK, NULL);
  g_autofree char *exe = NULL;
  const char *env;
  char *found;

  if ((found = existing_file (installed)) != NULL)
    return found;

  env = g_getenv ("KA_PACK_DIR");
  if (env != NULL && *env != '\0')
    {
      g_autofree char *path = g_build_filename (env, SAMPLE_PACK, NULL);

      if ((found = existing_file (path)) != NULL)
        return found;
    }

  exe = g_file_read_link ("/proc/self/exe", NULL);
  if (exe != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (exe);
      /* _build/src/kai-arena -> data/packs; also _build/tests/<test>. */
      static const char * const relative[] = { "../..", "..", "../../.." };

      for (guint i = 0; i < G_N_ELEMENTS (relative); i++)
        {
          g_autofree char *path = g_build_filename (dir, relative[i], "data", "packs",
                                                    SAMPLE_PACK, NULL);

          if ((found = existing_file (path)) != NULL)
            return found;
        }
    }

  {
    g_autofree char *path = g_build_filename ("data", "packs", SAMPLE_PACK, NULL);

    if ((found = existing_file (path)) != NULL)
      return found;
  }

  return NULL;
}

/**
 * ka_application_create_session:
 * @pack_path: the battle pack to vote on
 * @database_path: the ballot database (created if missing, with its directory)
 * @ui_language: "ko" or "en", recorded in each ballot
 *
 * Everything the desktop app does before its first battle: loads and validates the pack,
 * opens the store, imports the pack, builds the identity guard and a scheduler seeded
 * from g_random_int() that has counted the battles already in the store.
 *
 * Returns: (transfer full): a citizen-mode session in the IDLE state, or %NULL with
 *   @error set to a message naming the file that failed
 */
KaSession *
ka_application_create_session (const char  *pack_path,
                               const char  *database_path,
                               const char  *ui_language,
                               GError     **error)
{
  return ka_application_create_session_for_mode (pack_path, database_path, ui_language,
                                                 KA_MODE_CITIZEN, error);
}

/**
 * ka_application_create_session_for_mode:
 * @mode: %KA_MODE_KIOSK for a venue kiosk, recorded in each ballot
 *
 * Like ka_application_create_session(), for either mode.
 */
KaSession *
ka_application_create_session_for_mode (const char  *pack_path,
                                        const char  *database_path,
                                        const char  *ui_language,
                                        KaMode       mode,
                                        GError     **error)
{
  g_autoptr(KaPack) pack = NULL;
  g_autoptr(KaStore) store = NULL;
  g_autoptr(KaIdentityGuard) guard = NULL;
  g_autoptr(KaScheduler) scheduler = NULL;
  g_autofree char *db_dir = NULL;

  g_return_val_if_fail (pack_path != NULL, NULL);
  g_return_val_if_fail (database_path != NULL, NULL);
  g_return_val_if_fail (ui_language != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  pack = ka_pack_new_from_file (pack_path, error);
  if (pack == NULL)
    {
      /* The loader's message already names the file and the field. */
      g_prefix_error (error, "%s ", _("The battle pack cannot be used."));
      return NULL;
    }

  db_dir = g_path_get_dirname (database_path);
  if (g_mkdir_with_parents (db_dir, 0700) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                   _("The folder “%s” for the ballot database cannot be created: %s"),
                   db_dir, g_strerror (errsv));
      return NULL;
    }

  if (g_file_test (database_path, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *example = g_build_filename (database_path, "arena.sqlite3", NULL);

      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR,
                   _("“%s” is a folder. Give the ballot database as a file, for example "
                     "“%s”."),
                   database_path, example);
      return NULL;
    }

  store = ka_store_open (database_path, error);
  if (store == NULL)
    {
      g_prefix_error (error, _("The ballot database “%s” cannot be opened: "), database_path);
      return NULL;
    }

  if (!ka_store_import_pack (store, pack, error))
    {
      g_prefix_error (error, _("The battle pack “%s” cannot be stored: "), pack_path);
      return NULL;
    }

  guard = ka_identity_guard_new_for_pack (pack);
  /* The guard's verdicts on the pack are kept in the store: folding and scanning every
   * answer again would cost seconds at each start on a large pack (issue 11). A store that
   * cannot keep them only costs that time. */
  {
    g_autoptr(GError) local_error = NULL;

    if (!ka_identity_guard_use_store (guard, store, NULL, &local_error))
      g_warning ("The identity guard's verdicts could not be stored: %s", local_error->message);
  }
  scheduler = ka_scheduler_new (pack, guard, g_random_int ());

  if (!ka_scheduler_load_history (scheduler, store, error))
    {
      g_prefix_error (error, _("The ballot database “%s” cannot be read: "), database_path);
      return NULL;
    }

  return ka_session_new (store, scheduler, mode, ui_language);
}

typedef struct
{
  char   *pack_path;
  char   *database_path;
  char   *ui_language;
  KaMode  mode;
} CreateSessionData;

static void
create_session_data_free (CreateSessionData *data)
{
  g_free (data->pack_path);
  g_free (data->database_path);
  g_free (data->ui_language);
  g_free (data);
}

static void
create_session_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  CreateSessionData *data = task_data;
  g_autoptr(GError) error = NULL;
  KaSession *session;

  session = ka_application_create_session_for_mode (data->pack_path, data->database_path,
                                                    data->ui_language, data->mode, &error);
  if (session == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, session, g_object_unref);
}

/**
 * ka_application_create_session_async:
 * @pack_path: the battle pack to vote on
 * @database_path: the ballot database (created if missing)
 * @ui_language: "ko" or "en"
 * @mode: citizen or kiosk
 * @cancellable: (nullable): drops the result (the work itself runs to its end)
 * @callback: called on the calling thread's main context
 *
 * ka_application_create_session_for_mode() on a worker thread: reading, validating and
 * importing a 50 MB pack takes seconds, and the window shows meanwhile (issue 9). The
 * session's objects are only touched by the worker until @callback runs.
 */
void
ka_application_create_session_async (const char          *pack_path,
                                     const char          *database_path,
                                     const char          *ui_language,
                                     KaMode               mode,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CreateSessionData *data;

  g_return_if_fail (pack_path != NULL);
  g_return_if_fail (database_path != NULL);
  g_return_if_fail (ui_language != NULL);

  data = g_new0 (CreateSessionData, 1);
  data->pack_path = g_strdup (pack_path);
  data->database_path = g_strdup (database_path);
  data->ui_language = g_strdup (ui_language);
  data->mode = mode;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ka_application_create_session_async);
  g_task_set_name (task, "[kai-arena] create session");
  g_task_set_task_data (task, data, (GDestroyNotify) create_session_data_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, create_session_thread);
}

/**
 * ka_application_create_session_finish:
 *
 * Returns: (transfer full): the session in the IDLE state, or %NULL with @error set (the
 *   messages of ka_application_create_session(), or %G_IO_ERROR_CANCELLED)
 */
KaSession *
ka_application_create_session_finish (GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ka_application_new_settings:
 *
 * Returns: (transfer full) (nullable): settings for the `io.github.kaiarena.Arena` schema,
 *   or %NULL when the schema is not installed (an uninstalled build run without
 *   GSETTINGS_SCHEMA_DIR); g_settings_new() would abort then.
 */
GSettings *
ka_application_new_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, BASE_ID, TRUE);

  if (schema == NULL)
    {
      static gsize warned;

      if (g_once_init_enter (&warned))
        {
          g_message ("GSettings schema %s is not installed: preferences will not be kept",
                     BASE_ID);
          g_once_init_leave (&warned, 1);
        }
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}

/* --kiosk, or the `kiosk-mode` key set by a venue's system image. */
static gboolean
wants_kiosk (KaApplication *self)
{
  g_autoptr(GSettings) settings = NULL;

  if (self->kiosk)
    return TRUE;

  settings = ka_application_new_settings ();
  return settings != NULL && g_settings_get_boolean (settings, "kiosk-mode");
}

/* Background sync (issue 3, docs/protocol.md §9) ----------------------------------------- */

static void
set_sync (KaApplication *self,
          KaSync        *sync)
{
  if (self->sync == sync)
    return;

  if (self->sync != NULL)
    ka_sync_stop (self->sync);
  g_set_object (&self->sync, sync);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (KA_IS_WINDOW (l->data))
      ka_window_set_sync (l->data, sync);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC]);
}

/* Creates, retargets or drops the sync to follow the "server-url" key. An empty key means
 * ballots stay on this device. A bad URL is kept: the sync reports it ("not enrolled"). */
static void
update_sync (KaApplication *self)
{
  g_autofree char *url = NULL;
  g_autoptr(KaSync) sync = NULL;

  if (self->settings != NULL)
    url = g_strstrip (g_settings_get_string (self->settings, "server-url"));

  if (self->sync_store == NULL || url == NULL || url[0] == '\0')
    {
      set_sync (self, NULL);
      return;
    }

  if (self->sync != NULL && ka_sync_get_store (self->sync) == self->sync_store)
    {
      ka_sync_set_server_url (self->sync, url);
      return;
    }

  sync = ka_sync_new (self->sync_store, url);
  g_object_set (sync, "auto-enrol", !self->sync_kiosk, NULL);
  set_sync (self, sync);
  ka_sync_start (sync);
}

static void
server_url_changed_cb (KaApplication *self)
{
  update_sync (self);
}

/* The voting window's store is the one ballots are sent from. */
static void
attach_sync (KaApplication *self,
             KaWindow      *window,
             KaSession     *session,
             gboolean       kiosk)
{
  g_set_object (&self->sync_store, ka_session_get_store (session));
  self->sync_kiosk = kiosk;
  update_sync (self);
  ka_window_set_sync (window, self->sync);
}

/**
 * ka_application_get_sync:
 *
 * Returns: (transfer none) (nullable): the background sync of the voting window's store,
 *   or %NULL while no collector is set (the "server-url" key is empty)
 */
KaSync *
ka_application_get_sync (KaApplication *self)
{
  g_return_val_if_fail (KA_IS_APPLICATION (self), NULL);

  return self->sync;
}

/* A citizen window sends nothing, not even its enrolment, before the voter has agreed
 * to the privacy notice. */
static void
consent_changed_cb (KaWindow      *window,
                    GParamSpec    *pspec,
                    KaApplication *self)
{
  if (ka_window_get_consent_required (window) || ka_window_get_session (window) == NULL)
    return;

  g_signal_handlers_disconnect_by_func (window, consent_changed_cb, self);
  attach_sync (self, window, ka_window_get_session (window), FALSE);
}

/* The session for a window, made on a worker thread, has arrived (or failed). */
static void
session_created_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(KaWindow) window = user_data;
  g_autoptr(KaSession) session = NULL;
  g_autoptr(GError) error = NULL;
  KaApplication *self;

  session = ka_application_create_session_finish (result, &error);

  /* Closed while the pack was read: nothing to show it in. */
  self = KA_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));
  if (self == NULL || gtk_widget_in_destruction (GTK_WIDGET (window)))
    return;

  if (session == NULL)
    {
      g_warning ("%s", error->message);
      ka_window_show_error (window, _("Voting Cannot Start"), error->message);
      return;
    }

  ka_window_set_session (window, session);
  if (ka_window_get_consent_required (window))
    g_signal_connect_object (window, "notify::consent-required",
                             G_CALLBACK (consent_changed_cb), self, 0);
  else
    attach_sync (self, window, session, ka_session_get_mode (session) == KA_MODE_KIOSK);
}

/* The window comes at once, with "Opening the Battle Pack…", and the pack is read,
 * validated and imported on a worker thread: a 40–50 MB pack takes seconds (issue 9). */
static GtkWindow *
create_window (KaApplication *self)
{
  g_autofree char *pack_path = NULL;
  g_autofree char *database_path = NULL;
  g_autoptr(GSettings) window_settings = NULL;
  gboolean kiosk = wants_kiosk (self);
  KaWindow *window;

  pack_path = self->pack_path != NULL ? g_strdup (self->pack_path)
                                      : ka_application_find_default_pack ();
  database_path = self->database_path != NULL ? g_strdup (self->database_path)
                                              : ka_store_default_path ();

  /* The window's own settings object: it goes into delay-apply mode when it saves its
   * size, which must not hold back anything else written through the application's. */
  window_settings = ka_application_new_settings ();
  window = g_object_new (KA_TYPE_WINDOW,
                         "application", self,
                         "consent-required", !kiosk,
                         "settings", window_settings,
                         NULL);

  if (kiosk)
    {
      g_autoptr(GSettings) settings = ka_application_new_settings ();

      ka_kiosk_bind_settings (ka_kiosk_attach (window), settings);
    }

  if (pack_path == NULL)
    {
      const char *message = _("The built-in sample battle pack was not found. "
                              "Start K-AI Arena with --pack FILE to choose one.");

      g_warning ("%s", message);
      ka_window_show_error (window, _("Voting Cannot Start"), message);
      return GTK_WINDOW (window);
    }

  ka_application_create_session_async (pack_path, database_path,
                                       ka_application_get_ui_language (),
                                       kiosk ? KA_MODE_KIOSK : KA_MODE_CITIZEN,
                                       NULL, session_created_cb, g_object_ref (window));

  return GTK_WINDOW (window);
}

/* The organiser view reads the same database and pack as the voting window. */
static GtkWindow *
create_organiser_window (KaApplication *self)
{
  g_autofree char *pack_path = NULL;
  g_autofree char *database_path = NULL;

  pack_path = self->pack_path != NULL ? g_strdup (self->pack_path)
                                      : ka_application_find_default_pack ();
  database_path = self->database_path != NULL ? g_strdup (self->database_path)
                                              : ka_store_default_path ();

  return GTK_WINDOW (ka_organiser_window_new (GTK_APPLICATION (self), database_path,
                                              pack_path));
}

static void
ka_application_activate (GApplication *app)
{
  KaApplication *self = KA_APPLICATION (app);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL)
    window = self->organiser && !wants_kiosk (self) ? create_organiser_window (self)
                                                    : create_window (self);

  gtk_window_present (window);
}

static int
ka_application_command_line (GApplication            *app,
                             GApplicationCommandLine *command_line)
{
  KaApplication *self = KA_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  const char *path;

  /* Options only choose what the first window opens; a running instance keeps its pack. */
  if (gtk_application_get_active_window (GTK_APPLICATION (self)) == NULL)
    {
      if (g_variant_dict_lookup (options, "pack", "^&ay", &path))
        {
          g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (command_line,
                                                                                  path);
          g_free (self->pack_path);
          self->pack_path = g_file_get_path (file);
        }

      if (g_variant_dict_contains (options, "organiser"))
        self->organiser = TRUE;

      if (g_variant_dict_contains (options, "kiosk"))
        self->kiosk = TRUE;

      if (g_variant_dict_lookup (options, "database", "^&ay", &path))
        {
          g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (command_line,
                                                                                  path);
          g_free (self->database_path);
          self->database_path = g_file_get_path (file);
        }
    }

  g_application_activate (app);

  return EXIT_SUCCESS;
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *param,
                gpointer       user_data)
{
  KaApplication *self = KA_APPLICATION (user_data);
  GList *windows;

  /* Close rather than destroy, so each window saves its size in close-request. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (const GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
  g_list_free (windows);
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *param,
                       gpointer       user_data)
{
  KaApplication *self = KA_APPLICATION (user_data);
  g_autoptr(GSettings) settings = ka_application_new_settings ();
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *preferences;

  preferences = ka_preferences_window_new (parent, settings);
  /* The Sync group follows the sync that a new collector address creates or drops. */
  g_object_bind_property (self, "sync", preferences, "sync", G_BINDING_SYNC_CREATE);
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  KaApplication *self = KA_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  static const char *developers[] = { "The K-AI Arena authors", NULL };
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "modal", TRUE,
                        /* Installed builds have the icon under APP_ID; the resources carry
                         * it under BASE_ID for uninstalled runs. */
                        "application-icon", gtk_icon_theme_has_icon (theme, APP_ID) ? APP_ID : BASE_ID,
                        "application-name", _("K-AI Arena"),
                        "developer-name", _("The K-AI Arena authors"),
                        "version", PACKAGE_VERSION,
                        "developers", developers,
                        "copyright", "© 2026 The K-AI Arena authors",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "comments", _("A blind vote between AI models. "
                                      "Two anonymous answers to the same prompt appear side "
                                      "by side as Model A and Model B, in random order. "
                                      "You choose the better one, a tie, or both bad; only "
                                      "after your vote has been recorded are the models "
                                      "behind them revealed, so that names and brands "
                                      "cannot sway the result."),
                        /* Translators: replace with your names, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);

  adw_about_window_add_legal_section (ADW_ABOUT_WINDOW (about),
                                      _("Sample battle pack"),
                                      _("Korean prompts and model answers from "
                                        "ko-arena-hard-auto by qwopqwop200 "
                                        "(github.com/qwopqwop200/ko-arena-hard-auto). "
                                        "Model outputs are also subject to each model "
                                        "provider's terms."),
                                      GTK_LICENSE_APACHE_2_0,
                                      NULL);
  adw_about_window_add_acknowledgement_section (ADW_ABOUT_WINDOW (about),
                                                _("Data"),
                                                (const char *[]) {
                                                  "ko-arena-hard-auto https://github.com/qwopqwop200/ko-arena-hard-auto",
                                                  NULL
                                                });

  gtk_window_present (GTK_WINDOW (about));
}

static void
about_contest_activated (GSimpleAction *action,
                         GVariant      *param,
                         gpointer       user_data)
{
  KaApplication *self = KA_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWindow *window;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      if (KA_IS_CONTEST_WINDOW (l->data))
        {
          gtk_window_present (l->data);
          return;
        }
    }

  window = GTK_WINDOW (ka_contest_window_new (parent));
  gtk_window_set_application (window, GTK_APPLICATION (self));
  gtk_window_present (window);
}

static void
organiser_activated (GSimpleAction *action,
                     GVariant      *param,
                     gpointer       user_data)
{
  KaApplication *self = KA_APPLICATION (user_data);
  GtkWindow *window = NULL;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (KA_IS_ORGANISER_WINDOW (l->data))
      window = l->data;

  if (window == NULL)
    window = create_organiser_window (self);

  gtk_window_present (window);
}

static const GActionEntry app_actions[] = {
  { "organiser", organiser_activated },
  { "quit", quit_activated },
  { "preferences", preferences_activated },
  { "about", about_activated },
  { "about-contest", about_contest_activated },
};

static void
ka_application_startup (GApplication *app)
{
  KaApplication *self = KA_APPLICATION (app);

  G_APPLICATION_CLASS (ka_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);

  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit",
                                         (const char *[]) { "<Primary>q", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         (const char *[]) { "<Primary>comma", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-help-overlay",
                                         (const char *[]) { "<Primary>question", NULL });

  self->settings = ka_application_new_settings ();
  if (self->settings != NULL)
    g_signal_connect_object (self->settings, "changed::server-url",
                             G_CALLBACK (server_url_changed_cb), self, G_CONNECT_SWAPPED);
}

static void
ka_application_shutdown (GApplication *app)
{
  KaApplication *self = KA_APPLICATION (app);

  /* Cancels a request in flight; its batch stays pending and is resent next time. */
  set_sync (self, NULL);
  g_clear_object (&self->sync_store);

  G_APPLICATION_CLASS (ka_application_parent_class)->shutdown (app);
}

static void
ka_application_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  KaApplication *self = KA_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_SYNC:
      g_value_set_object (value, self->sync);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_application_dispose (GObject *object)
{
  KaApplication *self = KA_APPLICATION (object);

  if (self->sync != NULL)
    ka_sync_stop (self->sync);
  g_clear_object (&self->sync);
  g_clear_object (&self->sync_store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ka_application_parent_class)->dispose (object);
}

static void
ka_application_finalize (GObject *object)
{
  KaApplication *self = KA_APPLICATION (object);

  g_clear_pointer (&self->pack_path, g_free);
  g_clear_pointer (&self->database_path, g_free);

  G_OBJECT_CLASS (ka_application_parent_class)->finalize (object);
}

static void
ka_application_class_init (KaApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = ka_application_dispose;
  object_class->finalize = ka_application_finalize;
  object_class->get_property = ka_application_get_property;

  /**
   * KaApplication:sync:
   *
   * The background sync (a #KaSync) of the voting window's store, or %NULL while no
   * collector is set. Replaced when the "server-url" key changes to or from empty.
   */
  properties[PROP_SYNC] =
    g_param_spec_object ("sync", NULL, NULL,
                         KA_TYPE_SYNC,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  app_class->activate = ka_application_activate;
  app_class->command_line = ka_application_command_line;
  app_class->startup = ka_application_startup;
  app_class->shutdown = ka_application_shutdown;
}

static void
ka_application_init (KaApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), main_entries);
}

KaApplication *
ka_application_new (void)
{
  /* The resource path stays fixed for the .Devel profile (STYLE.md rule 3), so that
   * AdwApplication finds style.css and gtk/help-overlay.ui under it. */
  return g_object_new (KA_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/io/github/kaiarena/Arena",
                       NULL);
}
