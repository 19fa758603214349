/* ka-ballot-source.c: where the organisers' ballots come from, read off the main thread
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The data layer of the organiser view: the local store (read-only), a file (our ballots
 * as JSON Lines, or FastChat battles) or a collector (through one #KaCollectorClient).
 * Each load reads the packs and the ballots in a worker thread and hands back an
 * immutable #KaBallotLoad: the vote log to tally, the ballots to export, and notes on
 * what could not be counted.
 */

#define G_LOG_DOMAIN "ka-ballot-source"

#include "config.h"

#include <glib/gi18n.h>

#include "ka-ballot-source.h"
#include "ka-collector-client.h"
#include "ka-pack.h"
#include "ka-seal-maps.h"
#include "ka-store.h"

G_DEFINE_QUARK (ka-ballot-source-error-quark, ka_ballot_source_error)

struct _KaBallotSource
{
  GObject             parent_instance;

  KaBallotSourceKind  kind;
  char               *database_path;   /* (nullable): store */
  GFile              *file;            /* (nullable): file */
  KaCollectorClient  *client;          /* (nullable): collector */
  gboolean            downloading;
};

G_DEFINE_FINAL_TYPE (KaBallotSource, ka_ballot_source, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DOWNLOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * ka_ballot_load_free:
 * @load: (transfer full) (nullable): a load
 */
void
ka_ballot_load_free (KaBallotLoad *load)
{
  if (load == NULL)
    return;
  g_clear_pointer (&load->log, ka_vote_log_unref);
  g_clear_pointer (&load->ballots, g_ptr_array_unref);
  g_clear_pointer (&load->packs, g_ptr_array_unref);
  g_clear_pointer (&load->categories, g_strfreev);
  g_clear_pointer (&load->modes, g_strfreev);
  g_clear_pointer (&load->notes, g_ptr_array_unref);
  g_free (load);
}

/* The input of the loading thread: copies, so the source's owner may change meanwhile. */
typedef struct
{
  KaBallotSourceKind  kind;
  char               *database_path;
  GFile              *file;
  GBytes             *bytes;          /* the collector's answer */
  GBytes             *seal_maps;      /* (nullable): its seal maps (GET /v1/seal-maps) */
  char               *seal_maps_error; /* (nullable): why they could not be read */
  GStrv               pack_paths;
} LoadData;

static void
load_data_free (LoadData *d)
{
  g_free (d->database_path);
  g_clear_object (&d->file);
  g_clear_pointer (&d->bytes, g_bytes_unref);
  g_clear_pointer (&d->seal_maps, g_bytes_unref);
  g_free (d->seal_maps_error);
  g_strfreev (d->pack_paths);
  g_free (d);
}

static void
add_note (KaBallotLoad *l,
          char   *note)
{
  g_ptr_array_add (l->notes, note);
}

static void
note_stats (KaBallotLoad *l)
{
  if (l->stats.identity_flagged > 0)
    add_note (l, g_strdup_printf (ngettext ("%u ballot is left out: an answer it compared may "
                                            "have revealed its model (identity flag).",
                                            "%u ballots are left out: an answer they compared "
                                            "may have revealed its model (identity flag).",
                                            l->stats.identity_flagged),
                                  l->stats.identity_flagged));
  if (l->stats.unknown_response > 0)
    add_note (l, g_strdup_printf (ngettext ("%u ballot is left out: its answers are in none of "
                                            "the open packs. Add the pack it was cast on "
                                            "(Source ▸ Add an Open Pack).",
                                            "%u ballots are left out: their answers are in none "
                                            "of the open packs. Add the pack they were cast on "
                                            "(Source ▸ Add an Open Pack).",
                                            l->stats.unknown_response),
                                  l->stats.unknown_response));
  if (l->stats.sealed > 0)
    add_note (l, g_strdup_printf (ngettext ("%u ballot is left out: its pack is sealed, so it "
                                            "cannot say which model wrote each answer. Add the "
                                            "organisers’ open pack.",
                                            "%u ballots are left out: their pack is sealed, so "
                                            "it cannot say which model wrote each answer. Add "
                                            "the organisers’ open pack.",
                                            l->stats.sealed),
                                  l->stats.sealed));
}

static gboolean
load_ballots_bytes (KaBallotLoad   *l,
                    GBytes   *bytes,
                    GError  **error)
{
  g_autoptr(GPtrArray) ballots = NULL;

  ballots = ka_export_parse_ballots (bytes, error);
  if (ballots == NULL)
    return FALSE;

  l->input = KA_INPUT_BALLOTS;
  l->n_source = ballots->len;
  ka_export_add_ballots (l->log, ballots, l->packs, &l->stats);
  l->ballots = g_steal_pointer (&ballots);
  return TRUE;
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *d = task_data;
  g_autoptr(KaBallotLoad) l = g_new0 (KaBallotLoad, 1);
  g_autoptr(GError) error = NULL;

  l->log = ka_vote_log_new ();
  l->packs = g_ptr_array_new_with_free_func (g_object_unref);
  l->notes = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; d->pack_paths != NULL && d->pack_paths[i] != NULL; i++)
    {
      g_autoptr(GError) pack_error = NULL;
      KaPack *pack = ka_pack_new_from_file (d->pack_paths[i], &pack_error);

      if (pack == NULL)
        add_note (l, g_strdup_printf (_("The pack “%s” cannot be read: %s"),
                                      d->pack_paths[i], pack_error->message));
      else
        g_ptr_array_add (l->packs, pack);
    }

  switch (d->kind)
    {
    case KA_BALLOT_SOURCE_STORE:
      if (d->database_path != NULL && g_file_test (d->database_path, G_FILE_TEST_EXISTS))
        {
          g_autoptr(KaStore) store = ka_store_open_read_only (d->database_path, &error);
          g_autoptr(GPtrArray) ballots = NULL;

          if (store == NULL)
            break;
          ballots = ka_store_list_ballots (store, NULL, &error);
          if (ballots == NULL)
            break;
          l->input = KA_INPUT_BALLOTS;
          l->n_source = ballots->len;
          ka_export_add_ballots (l->log, ballots, l->packs, &l->stats);
          l->ballots = g_steal_pointer (&ballots);
        }
      else
        {
          /* No database yet: nobody voted on this device. */
          l->input = KA_INPUT_BALLOTS;
          l->ballots = g_ptr_array_new_with_free_func ((GDestroyNotify) ka_ballot_free);
        }
      break;

    case KA_BALLOT_SOURCE_FILE:
      {
        g_autoptr(GBytes) bytes = g_file_load_bytes (d->file, cancellable, NULL, &error);

        if (bytes == NULL)
          break;
        if (g_bytes_get_size (bytes) == 0)
          {
            l->input = KA_INPUT_BALLOTS;
            l->ballots = g_ptr_array_new_with_free_func ((GDestroyNotify) ka_ballot_free);
            break;
          }
        switch (ka_export_detect_input (bytes))
          {
          case KA_INPUT_FASTCHAT:
            l->input = KA_INPUT_FASTCHAT;
            if (ka_export_load_fastchat (l->log, bytes, &error))
              l->n_source = ka_vote_log_get_n_votes (l->log);
            break;

          case KA_INPUT_BALLOTS:
            load_ballots_bytes (l, bytes, &error);
            break;

          case KA_INPUT_UNKNOWN:
          default:
            g_set_error_literal (&error, KA_EXPORT_ERROR, KA_EXPORT_ERROR_PARSE,
                                 _("The file holds neither K-AI Arena ballots (JSON Lines) "
                                   "nor FastChat battles (a JSON array or JSON Lines)."));
            break;
          }
      }
      break;

    case KA_BALLOT_SOURCE_COLLECTOR:
      /* Citizens voted on the collector's sealed copy: its seal maps let the open packs
       * find their responses by sealed ID. Without them those ballots stay unmatched (a
       * note says so), which is no reason to show nothing. */
      if (l->packs->len > 0)
        {
          g_autoptr(GError) maps_error = NULL;
          g_autoptr(GHashTable) maps = NULL;

          if (d->seal_maps != NULL)
            maps = ka_seal_maps_parse (d->seal_maps, &maps_error);
          if (maps != NULL)
            ka_seal_maps_apply (maps, l->packs);
          else
            add_note (l, g_strdup_printf (_("The collector’s seal maps cannot be read, so "
                                            "ballots cast on sealed packs are not matched "
                                            "to their models: %s"),
                                          maps_error != NULL ? maps_error->message
                                          : d->seal_maps_error));
        }
      if (g_bytes_get_size (d->bytes) == 0)
        {
          l->input = KA_INPUT_BALLOTS;
          l->ballots = g_ptr_array_new_with_free_func ((GDestroyNotify) ka_ballot_free);
        }
      else
        load_ballots_bytes (l, d->bytes, &error);
      break;

    default:
      g_assert_not_reached ();
    }

  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (l->input == KA_INPUT_BALLOTS && l->n_source > 0 && l->packs->len == 0)
    add_note (l, g_strdup (_("No open pack is known, so no ballot can be matched to its "
                             "models. Add the organisers’ open pack (Source ▸ Add an Open "
                             "Pack).")));
  note_stats (l);
  l->categories = ka_vote_log_list_categories (l->log);
  l->modes = ka_vote_log_list_modes (l->log);

  g_task_return_pointer (task, g_steal_pointer (&l), (GDestroyNotify) ka_ballot_load_free);
}

static void
set_downloading (KaBallotSource *self,
                 gboolean        downloading)
{
  if (self->downloading == downloading)
    return;
  self->downloading = downloading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOWNLOADING]);
}

static void
seal_maps_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KaBallotSource *self = g_task_get_source_object (task);
  LoadData *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  d->seal_maps = ka_collector_client_get_seal_maps_finish (KA_COLLECTOR_CLIENT (source),
                                                           result, &error);
  set_downloading (self, FALSE);
  if (d->seal_maps == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      d->seal_maps_error = g_strdup (error->message);
    }
  g_task_run_in_thread (task, load_thread);
}

static void
collector_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KaBallotSource *self = g_task_get_source_object (task);
  LoadData *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;

  d->bytes = ka_collector_client_get_ballots_finish (KA_COLLECTOR_CLIENT (source), result, &error);
  if (d->bytes == NULL)
    {
      set_downloading (self, FALSE);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else if (g_error_matches (error, KA_COLLECTOR_CLIENT_ERROR,
                                KA_COLLECTOR_CLIENT_ERROR_UNAUTHORIZED))
        g_task_return_new_error (task, KA_BALLOT_SOURCE_ERROR, KA_BALLOT_SOURCE_ERROR_COLLECTOR,
                                 "%s", _("The collector refused the organiser token."));
      else if (error->domain == KA_COLLECTOR_CLIENT_ERROR)
        g_task_return_new_error (task, KA_BALLOT_SOURCE_ERROR, KA_BALLOT_SOURCE_ERROR_COLLECTOR,
                                 "%s", error->message);
      else
        g_task_return_new_error (task, KA_BALLOT_SOURCE_ERROR, KA_BALLOT_SOURCE_ERROR_COLLECTOR,
                                 _("The collector cannot be reached: %s"), error->message);
      return;
    }
  cancellable = g_task_get_cancellable (task);
  ka_collector_client_get_seal_maps_async (KA_COLLECTOR_CLIENT (source), cancellable,
                                           seal_maps_done_cb, g_steal_pointer (&task));
}

static void
ka_ballot_source_dispose (GObject *object)
{
  KaBallotSource *self = KA_BALLOT_SOURCE (object);

  g_clear_object (&self->file);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (ka_ballot_source_parent_class)->dispose (object);
}

static void
ka_ballot_source_finalize (GObject *object)
{
  KaBallotSource *self = KA_BALLOT_SOURCE (object);

  g_clear_pointer (&self->database_path, g_free);

  G_OBJECT_CLASS (ka_ballot_source_parent_class)->finalize (object);
}

static void
ka_ballot_source_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  KaBallotSource *self = KA_BALLOT_SOURCE (object);

  switch (prop_id)
    {
    case PROP_DOWNLOADING:
      g_value_set_boolean (value, self->downloading);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_ballot_source_class_init (KaBallotSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ka_ballot_source_dispose;
  object_class->finalize = ka_ballot_source_finalize;
  object_class->get_property = ka_ballot_source_get_property;

  /**
   * KaBallotSource:downloading:
   *
   * Whether a load is waiting for the collector's answer (before it reads the ballots).
   */
  properties[PROP_DOWNLOADING] =
    g_param_spec_boolean ("downloading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ka_ballot_source_init (KaBallotSource *self)
{
}

/**
 * ka_ballot_source_new_store:
 * @database_path: (nullable): a store; %NULL or a missing file means nobody voted yet
 *
 * Returns: (transfer full): a source reading the store read-only
 */
KaBallotSource *
ka_ballot_source_new_store (const char *database_path)
{
  KaBallotSource *self = g_object_new (KA_TYPE_BALLOT_SOURCE, NULL);

  self->kind = KA_BALLOT_SOURCE_STORE;
  self->database_path = g_strdup (database_path);
  return self;
}

/**
 * ka_ballot_source_new_file:
 * @file: our ballots (JSON Lines) or FastChat battles (JSON array or JSON Lines)
 *
 * Returns: (transfer full): a source reading @file
 */
KaBallotSource *
ka_ballot_source_new_file (GFile *file)
{
  KaBallotSource *self;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  self = g_object_new (KA_TYPE_BALLOT_SOURCE, NULL);
  self->kind = KA_BALLOT_SOURCE_FILE;
  self->file = g_object_ref (file);
  return self;
}

/**
 * ka_ballot_source_new_collector:
 * @server_url: the collector's base URL (https, or http to a loopback address)
 * @organiser_token: the organiser token, sent as `Authorization: Bearer`; kept in memory
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a source reading `GET /v1/ballots?format=jsonl` through its
 *   own #KaCollectorClient, or %NULL with #KA_SYNC_ERROR_INVALID_URL or
 *   #KA_SYNC_ERROR_INSECURE_URL (see ka_collector_client_new())
 */
KaBallotSource *
ka_ballot_source_new_collector (const char  *server_url,
                                const char  *organiser_token,
                                GError     **error)
{
  g_autoptr(KaCollectorClient) client = NULL;
  KaBallotSource *self;

  g_return_val_if_fail (server_url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  client = ka_collector_client_new (server_url, organiser_token != NULL ? organiser_token : "",
                                    error);
  if (client == NULL)
    return NULL;
  self = g_object_new (KA_TYPE_BALLOT_SOURCE, NULL);
  self->kind = KA_BALLOT_SOURCE_COLLECTOR;
  self->client = g_steal_pointer (&client);
  return self;
}

/**
 * ka_ballot_source_get_kind:
 * @self: a #KaBallotSource
 *
 * Returns: where the ballots come from
 */
KaBallotSourceKind
ka_ballot_source_get_kind (KaBallotSource *self)
{
  g_return_val_if_fail (KA_IS_BALLOT_SOURCE (self), KA_BALLOT_SOURCE_STORE);

  return self->kind;
}

/**
 * ka_ballot_source_get_downloading:
 * @self: a #KaBallotSource
 *
 * Returns: the #KaBallotSource:downloading property
 */
gboolean
ka_ballot_source_get_downloading (KaBallotSource *self)
{
  g_return_val_if_fail (KA_IS_BALLOT_SOURCE (self), FALSE);

  return self->downloading;
}

/**
 * ka_ballot_source_load_async:
 * @self: a #KaBallotSource
 * @pack_paths: (nullable) (array zero-terminated=1): open packs that reveal the models;
 *   a pack that cannot be read becomes a note
 * @cancellable: (nullable): a #GCancellable
 * @callback: called in the caller's thread-default main context
 * @user_data: data for @callback
 *
 * Reads the source and the packs: the collector's answer first (without blocking), then
 * the ballots in a worker thread with ka_export_parse_ballots() and
 * ka_export_add_ballots(), or FastChat battles with ka_export_load_fastchat().
 */
void
ka_ballot_source_load_async (KaBallotSource      *self,
                             const char * const  *pack_paths,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *d;

  g_return_if_fail (KA_IS_BALLOT_SOURCE (self));

  d = g_new0 (LoadData, 1);
  d->kind = self->kind;
  d->database_path = g_strdup (self->database_path);
  d->file = self->file != NULL ? g_object_ref (self->file) : NULL;
  d->pack_paths = g_strdupv ((GStrv) pack_paths);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ka_ballot_source_load_async);
  g_task_set_task_data (task, d, (GDestroyNotify) load_data_free);

  if (self->kind == KA_BALLOT_SOURCE_COLLECTOR)
    {
      set_downloading (self, TRUE);
      ka_collector_client_get_ballots_async (self->client, "jsonl", cancellable,
                                             collector_done_cb, g_steal_pointer (&task));
      return;
    }
  g_task_run_in_thread (task, load_thread);
}

/**
 * ka_ballot_source_load_finish:
 * @self: a #KaBallotSource
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Returns: (transfer full): what the source holds, or %NULL with
 *   %KA_BALLOT_SOURCE_ERROR_COLLECTOR (the collector cannot be read), a
 *   #KA_EXPORT_ERROR_PARSE or #KA_STORE_ERROR (the ballots cannot be read), or a #GIOError
 *   (%G_IO_ERROR_CANCELLED when cancelled)
 */
KaBallotLoad *
ka_ballot_source_load_finish (KaBallotSource  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
