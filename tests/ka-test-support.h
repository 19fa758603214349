/* ka-test-support.h: helpers shared by the collector and sync tests and benchmark
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ka-ballot.h"
#include "ka-sync.h"

G_BEGIN_DECLS

/* Temporary directories ------------------------------------------------------------- */

char        *ka_test_make_tmp_dir        (const char         *tmpl);
void         ka_test_remove_tree         (const char         *path);
char        *ka_test_read_file_or_empty  (const char         *path);

/* The collector process ------------------------------------------------------------- */

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *stdout_stream;  /* kept open while it runs */
  char             *url;            /* base URL it printed, ends with '/' */
  char             *log_path;       /* its stderr */
} KaTestCollector;

const char  *ka_test_collector_binary    (void);
GSubprocess *ka_test_collector_spawn     (const char * const *args,
                                          const char         *log_path,
                                          const char         *messages_debug,
                                          GSubprocessFlags    flags,
                                          GError            **error);
void         ka_test_collector_launch    (KaTestCollector    *c,
                                          const char * const *args,
                                          const char         *log_path,
                                          const char         *messages_debug);
gboolean     ka_test_collector_terminate (KaTestCollector    *c);
void         ka_test_collector_clear     (KaTestCollector    *c);

/* Driving KaSync from a test's main loop -------------------------------------------- */

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
} KaTestResult;

void         ka_test_sync_run_cb         (GObject            *source,
                                          GAsyncResult       *result,
                                          gpointer            user_data);
void         ka_test_sync_enrol_cb       (GObject            *source,
                                          GAsyncResult       *result,
                                          gpointer            user_data);
gboolean     ka_test_sync_run            (KaSync             *sync,
                                          GError            **error);
gboolean     ka_test_sync_enrol          (KaSync             *sync,
                                          KaMode              kind,
                                          const char         *code,
                                          GError            **error);

/* A fake GNetworkMonitor ------------------------------------------------------------ */

#define KA_TYPE_TEST_MONITOR (ka_test_monitor_get_type ())
G_DECLARE_FINAL_TYPE (KaTestMonitor, ka_test_monitor, KA, TEST_MONITOR, GObject)

void         ka_test_monitor_set_available (KaTestMonitor *self,
                                            gboolean       available);

G_END_DECLS
