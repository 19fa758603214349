/* ka-test-support.c: helpers shared by the collector and sync tests and benchmark
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Linked into test-collector, test-sync, test-sync-ui and bench-sync (tests/meson.build):
 * temporary directories, the built kai-arena-collector as a child process, KaSync driven
 * to completion from a test's main loop, and a fake GNetworkMonitor.
 */

#define G_LOG_DOMAIN "ka-test-support"

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "ka-test-support.h"

/* Temporary directories ------------------------------------------------------------- */

/* A fresh directory from g_dir_make_tmp() with @tmpl ("name-XXXXXX"); aborts the test if
 * it cannot be made. Free with g_free() after ka_test_remove_tree(). */
char *
ka_test_make_tmp_dir (const char *tmpl)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp (tmpl, &error);

  g_assert_no_error (error);
  return dir;
}

/* Removes @path and everything below it; what cannot be removed is left alone. */
void
ka_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        ka_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* The contents of @path (may be NULL), or "" when there is none to read. Free with
 * g_free(). */
char *
ka_test_read_file_or_empty (const char *path)
{
  char *contents = NULL;

  if (path == NULL || !g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

/* The collector process ------------------------------------------------------------- */

/* The built kai-arena-collector, from $KA_COLLECTOR (set by tests/meson.build). */
const char *
ka_test_collector_binary (void)
{
  const char *path = g_getenv ("KA_COLLECTOR");

  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("KA_COLLECTOR is not set to the built kai-arena-collector (tests/meson.build)");
  return path;
}

/* A collector outlives a test that aborts unless it dies with it. */
static void
die_with_parent (gpointer user_data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

/* Starts the collector with @args (NULL-terminated, without the program), its stderr
 * into @log_path (NULL: as @flags say), with G_MESSAGES_DEBUG=@messages_debug (NULL:
 * inherited), killed with SIGTERM if the test process dies. */
GSubprocess *
ka_test_collector_spawn (const char * const  *args,
                         const char          *log_path,
                         const char          *messages_debug,
                         GSubprocessFlags     flags,
                         GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) ka_test_collector_binary ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  if (messages_debug != NULL)
    g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", messages_debug, TRUE);
  if (log_path != NULL)
    g_subprocess_launcher_set_stderr_file_path (launcher, log_path);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);

  return g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
}

/* Starts the collector into @c (process, stdout, @log_path, url; earlier url and log_path
 * are freed) and waits for its first stdout line, "listening on URL". Aborts the test with
 * the collector's log if it does not print that line. */
void
ka_test_collector_launch (KaTestCollector    *c,
                          const char * const *args,
                          const char         *log_path,
                          const char         *messages_debug)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  g_free (c->log_path);
  c->log_path = g_strdup (log_path);
  c->process = ka_test_collector_spawn (args, c->log_path, messages_debug,
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);

  c->stdout_stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (c->process));
  line = g_data_input_stream_read_line_utf8 (c->stdout_stream, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL || !g_str_has_prefix (line, "listening on "))
    {
      g_autofree char *log = ka_test_read_file_or_empty (c->log_path);

      g_error ("the collector did not start (first line '%s'); its log:\n%s",
               line != NULL ? line : "(none)", log);
    }

  g_free (c->url);
  c->url = g_strdup (line + strlen ("listening on "));
}

/* Stops @c's process with SIGTERM and waits for it; drops the process and its stdout.
 * Returns whether it exited with status 0. */
gboolean
ka_test_collector_terminate (KaTestCollector *c)
{
  g_autoptr(GError) error = NULL;
  gboolean clean;

  g_subprocess_send_signal (c->process, SIGTERM);
  g_subprocess_wait (c->process, NULL, &error);
  g_assert_no_error (error);
  clean = g_subprocess_get_if_exited (c->process) && g_subprocess_get_exit_status (c->process) == 0;

  g_clear_object (&c->stdout_stream);
  g_clear_object (&c->process);
  return clean;
}

/* Frees @c's strings; its process must be terminated already. */
void
ka_test_collector_clear (KaTestCollector *c)
{
  g_assert_null (c->process);
  g_clear_pointer (&c->url, g_free);
  g_clear_pointer (&c->log_path, g_free);
}

/* Driving KaSync from a test's main loop -------------------------------------------- */

/* GAsyncReadyCallback of ka_sync_run_async(): fills the KaTestResult @user_data. */
void
ka_test_sync_run_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  KaTestResult *r = user_data;

  r->ok = ka_sync_run_finish (KA_SYNC (source), result, &r->error);
  r->done = TRUE;
}

/* GAsyncReadyCallback of ka_sync_enrol_async(): fills the KaTestResult @user_data. */
void
ka_test_sync_enrol_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  KaTestResult *r = user_data;

  r->ok = ka_sync_enrol_finish (KA_SYNC (source), result, &r->error);
  r->done = TRUE;
}

/* One ka_sync_run_async(), iterating the default main context until it finishes. */
gboolean
ka_test_sync_run (KaSync  *sync,
                  GError **error)
{
  KaTestResult r = { FALSE, };

  ka_sync_run_async (sync, NULL, ka_test_sync_run_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.ok;
}

/* One ka_sync_enrol_async(), iterating the default main context until it finishes. */
gboolean
ka_test_sync_enrol (KaSync      *sync,
                    KaMode       kind,
                    const char  *code,
                    GError     **error)
{
  KaTestResult r = { FALSE, };

  ka_sync_enrol_async (sync, kind, code, NULL, ka_test_sync_enrol_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.ok;
}

/* A fake GNetworkMonitor ------------------------------------------------------------ */

/* Available (full connectivity, not metered) until ka_test_monitor_set_available()
 * says otherwise, so that a result does not depend on the machine's routes. */
struct _KaTestMonitor
{
  GObject  parent_instance;
  gboolean available;
};

enum
{
  MONITOR_PROP_0,
  MONITOR_PROP_AVAILABLE,
  MONITOR_PROP_METERED,
  MONITOR_PROP_CONNECTIVITY,
};

static void ka_test_monitor_iface_init (GNetworkMonitorInterface *iface);
static void ka_test_monitor_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (KaTestMonitor, ka_test_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      ka_test_monitor_initable_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR,
                                                      ka_test_monitor_iface_init))

static gboolean
ka_test_monitor_initable_init_fn (GInitable     *initable,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  return TRUE;
}

static void
ka_test_monitor_initable_init (GInitableIface *iface)
{
  iface->init = ka_test_monitor_initable_init_fn;
}

static void
ka_test_monitor_iface_init (GNetworkMonitorInterface *iface)
{
}

static void
ka_test_monitor_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  KaTestMonitor *self = KA_TEST_MONITOR (object);

  switch (prop_id)
    {
    case MONITOR_PROP_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    case MONITOR_PROP_METERED:
      g_value_set_boolean (value, FALSE);
      break;
    case MONITOR_PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL
                                               : G_NETWORK_CONNECTIVITY_LOCAL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_test_monitor_class_init (KaTestMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = ka_test_monitor_get_property;
  g_object_class_override_property (object_class, MONITOR_PROP_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, MONITOR_PROP_METERED, "network-metered");
  g_object_class_override_property (object_class, MONITOR_PROP_CONNECTIVITY, "connectivity");
}

static void
ka_test_monitor_init (KaTestMonitor *self)
{
  self->available = TRUE;
}

/* Switches the network on or off, notifying "network-available" and emitting
 * "network-changed" as a real monitor does. */
void
ka_test_monitor_set_available (KaTestMonitor *self,
                               gboolean       available)
{
  self->available = available;
  g_object_notify (G_OBJECT (self), "network-available");
  g_signal_emit_by_name (self, "network-changed", available);
}
