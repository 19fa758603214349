/* ka-organiser-window.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-organiser-window"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ka-ballot-source.h"
#include "ka-export.h"
#include "ka-interval-chart.h"
#include "ka-leaderboard-view.h"
#include "ka-organiser-window.h"
#include "ka-pack.h"
#include "ka-store.h"
#include "ka-sync.h"
#include "ka-winrate-heatmap.h"

#define MAX_BOOTSTRAP_ROUNDS 100000

typedef enum
{
  SOURCE_NONE,
  SOURCE_STORE,
  SOURCE_FILE,
  SOURCE_COLLECTOR,
} SourceKind;

struct _KaOrganiserWindow
{
  AdwApplicationWindow  parent_instance;

  /* template widgets */
  AdwViewSwitcherTitle *switcher_title;
  GtkSpinner           *header_spinner;
  GtkMenuButton        *source_button;
  GtkButton            *export_button;
  GtkAdjustment        *rounds_adjustment;
  GtkAdjustment        *seed_adjustment;
  GtkDropDown          *category_dropdown;
  GtkDropDown          *mode_dropdown;
  GtkEntry             *since_entry;
  GtkEntry             *until_entry;
  GtkRevealer          *warning_revealer;
  GtkLabel             *warning_label;
  AdwToastOverlay      *toast_overlay;
  GtkStack             *content_stack;
  GtkSpinner           *loading_spinner;
  GtkLabel             *loading_label;
  AdwStatusPage        *empty_page;
  GtkButton            *empty_clear_button;
  AdwStatusPage        *error_page;
  GtkLabel             *summary_label;
  GtkLabel             *bias_label;
  AdwViewStack         *view_stack;
  GtkPaned             *leaderboard_paned;
  KaLeaderboardView    *leaderboard_view;
  KaIntervalChart      *interval_chart;
  KaWinrateHeatmap     *winrate_heatmap;

  /* construct-only */
  char                 *database_path;   /* (nullable) */
  char                 *pack_path;       /* (nullable): the app's pack */

  /* the source */
  SourceKind            source;
  GFile                *source_file;     /* (nullable) */
  char                 *collector_url;   /* (nullable) */
  char                 *collector_token; /* (nullable); never written anywhere */
  GPtrArray            *extra_packs;     /* char *: packs added by the organiser */
  guint                 generation;      /* bumped on every (re)load */
  KaBallotLoad         *loaded;          /* (nullable) */
  GCancellable         *load_cancellable;
  KaBallotSource       *source_object;   /* (nullable): the data layer of the source */

  /* filters and options */
  char                 *category;        /* (nullable) */
  char                 *mode;            /* (nullable) */
  char                 *since;           /* YYYY-MM-DD or "" */
  char                 *until;
  guint                 bootstrap_rounds;
  guint64               seed;
  GStrv                 mode_ids;        /* the mode dropdown's items after "All" */
  gboolean              syncing_widgets;

  /* tallies */
  GHashTable           *cache;           /* key -> KaRatingResult */
  char                 *wanted_key;      /* (nullable): the tally the window should show */
  GCancellable         *tally_cancellable;
  KaRatingResult       *shown;           /* (nullable) */
  guint                 recompute_id;
  guint                 n_tallies;
  gboolean              loading;
  gboolean              tallying;
  gboolean              exporting;

  char                 *last_message;    /* (nullable): the last toast's text */
};

G_DEFINE_FINAL_TYPE (KaOrganiserWindow, ka_organiser_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_DATABASE_PATH,
  PROP_PACK_PATH,
  PROP_BUSY,
  PROP_CATEGORY,
  PROP_MODE,
  PROP_SINCE,
  PROP_UNTIL,
  PROP_BOOTSTRAP_ROUNDS,
  PROP_SEED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void schedule_recompute (KaOrganiserWindow *self);

/* ------------------------------------------------------------------------------------ */
/* Small helpers */

static gboolean
is_busy (KaOrganiserWindow *self)
{
  return self->loading || self->tallying || self->recompute_id != 0;
}

static void
update_busy (KaOrganiserWindow *self)
{
  gboolean busy = is_busy (self);

  gtk_spinner_set_spinning (self->header_spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->header_spinner), busy);
  gtk_spinner_set_spinning (self->loading_spinner, busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* Shows @text (plain text) in a toast; returns the toast for a button to be added. */
static AdwToast *
show_toast (KaOrganiserWindow *self,
            const char        *text,
            guint              timeout)
{
  /* In libadwaita 1.2 a toast's title is always Pango markup, and messages quote file
   * names and server text. */
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  AdwToast *toast = adw_toast_new (escaped);

  g_free (self->last_message);
  self->last_message = g_strdup (text);
  adw_toast_set_timeout (toast, timeout);
  return toast;
}

static void
toast_message (KaOrganiserWindow *self,
               const char        *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, show_toast (self, message, 8));
}

/* Parses YYYY-MM-DD; @out is that day's UTC midnight in µs, or the next day's with
 * @end_of_day (so that "until" includes its day, as `kai-arena-admin tally --until`). */
static gboolean
parse_day (const char *text,
           gboolean    end_of_day,
           gint64     *out)
{
  g_autoptr(GDateTime) dt = NULL;
  int y, m, d;
  char extra;

  if (text == NULL || sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 ||
      strlen (text) != 10 || !g_date_valid_dmy (d, m, y))
    return FALSE;

  dt = g_date_time_new_utc (y, m, d, 0, 0, 0);
  if (dt == NULL)
    return FALSE;
  if (end_of_day)
    {
      g_autoptr(GDateTime) next = g_date_time_add_days (dt, 1);

      *out = g_date_time_to_unix (next) * G_USEC_PER_SEC;
    }
  else
    *out = g_date_time_to_unix (dt) * G_USEC_PER_SEC;

  return TRUE;
}

static gboolean
filters_active (KaOrganiserWindow *self)
{
  return self->category != NULL || self->mode != NULL ||
         (self->since != NULL && *self->since != '\0') ||
         (self->until != NULL && *self->until != '\0');
}

static const char *
mode_label (const char *mode)
{
  if (g_strcmp0 (mode, "citizen") == 0)
    return _("Citizen app");
  if (g_strcmp0 (mode, "kiosk") == 0)
    return _("Venue kiosk");
  return mode;
}

static char *
describe_source (KaOrganiserWindow *self)
{
  switch (self->source)
    {
    case SOURCE_STORE:
      return g_strdup (_("Ballots on this device"));

    case SOURCE_FILE:
      {
        g_autofree char *name = g_file_get_basename (self->source_file);

        return g_strdup (name);
      }

    case SOURCE_COLLECTOR:
      {
        g_autoptr(GUri) uri = g_uri_parse (self->collector_url, G_URI_FLAGS_NONE, NULL);

        /* Translators: %s is a host name. */
        return g_strdup_printf (_("Collector at %s"),
                                uri != NULL && g_uri_get_host (uri) != NULL
                                  ? g_uri_get_host (uri) : self->collector_url);
      }

    case SOURCE_NONE:
    default:
      return g_strdup (_("No source"));
    }
}

/* ------------------------------------------------------------------------------------ */
/* Pages */

static void
set_warnings (KaOrganiserWindow  *self,
              const char * const *result_warnings)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint n = 0;

  if (self->loaded != NULL)
    for (guint i = 0; i < self->loaded->notes->len; i++, n++)
      {
        if (n > 0)
          g_string_append_c (text, '\n');
        g_string_append_printf (text, "• %s", (const char *) g_ptr_array_index (self->loaded->notes, i));
      }

  for (guint i = 0; result_warnings != NULL && result_warnings[i] != NULL; i++, n++)
    {
      if (n > 0)
        g_string_append_c (text, '\n');
      g_string_append_printf (text, "• %s", result_warnings[i]);
    }

  gtk_label_set_text (self->warning_label, text->str);
  gtk_revealer_set_reveal_child (self->warning_revealer, n > 0);
}

/* Nothing shown any more (an empty state, an error, another source). */
static void
clear_result (KaOrganiserWindow *self)
{
  g_clear_pointer (&self->shown, ka_rating_result_unref);
  /* Without a leaderboard the title shows the window's name and its source instead. */
  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, FALSE);
  ka_leaderboard_view_set_result (self->leaderboard_view, NULL);
  ka_interval_chart_set_result (self->interval_chart, NULL);
  ka_winrate_heatmap_set_result (self->winrate_heatmap, NULL);
}

static void
show_error (KaOrganiserWindow *self,
            const char        *title,
            const char        *message)
{
  g_autofree char *escaped = message != NULL ? g_markup_escape_text (message, -1) : NULL;

  /* AdwStatusPage parses its description as markup. */
  clear_result (self);
  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, escaped);
  gtk_stack_set_visible_child_name (self->content_stack, "error");
  set_warnings (self, NULL);
}

static void
show_empty (KaOrganiserWindow *self,
            const char        *title,
            const char        *description,
            gboolean           clear_button)
{
  g_autofree char *escaped = description != NULL ? g_markup_escape_text (description, -1) : NULL;

  clear_result (self);
  adw_status_page_set_title (self->empty_page, title);
  adw_status_page_set_description (self->empty_page, escaped);
  gtk_widget_set_visible (GTK_WIDGET (self->empty_clear_button), clear_button);
  gtk_stack_set_visible_child_name (self->content_stack, "empty");
}

static void
show_result (KaOrganiserWindow *self,
             KaRatingResult    *result)
{
  g_autofree char *ballots = ka_format_count (ka_rating_result_get_n_ballots (result));
  g_autofree char *total = ka_format_count (ka_vote_log_get_n_votes (self->loaded->log));
  g_autofree char *rounds = ka_format_count (ka_rating_result_get_bootstrap_rounds (result));
  g_autoptr(GString) summary = g_string_new (NULL);
  g_autofree char *bias = NULL;
  guint n_models = ka_rating_result_get_n_models (result);
  gint64 left_wins, decisive;
  double share, lo, hi;

  if (self->shown != result)
    {
      g_clear_pointer (&self->shown, ka_rating_result_unref);
      self->shown = ka_rating_result_ref (result);
    }

  ka_leaderboard_view_set_result (self->leaderboard_view, result);
  ka_interval_chart_set_result (self->interval_chart, result);
  ka_winrate_heatmap_set_result (self->winrate_heatmap, result);

  {
    g_autofree char *source = describe_source (self);

    g_string_append_printf (summary, "%s · ", source);
  }
  if (filters_active (self))
    /* Translators: ballots counted after filtering, of all countable ballots. */
    g_string_append_printf (summary, _("%s of %s ballots (filtered)"), ballots, total);
  else
    g_string_append_printf (summary, ngettext ("%s ballot", "%s ballots",
                                               ka_rating_result_get_n_ballots (result)),
                            ballots);
  g_string_append (summary, " · ");
  g_string_append_printf (summary, ngettext ("%u model", "%u models", n_models), n_models);
  g_string_append (summary, " · ");
  g_string_append (summary, _("Bradley–Terry, ties and both bad count as half a win"));
  g_string_append (summary, " · ");
  if (ka_rating_result_get_bootstrap_rounds (result) > 0)
    {
      g_autofree char *seed = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                               ka_rating_result_get_seed (result));

      g_string_append_printf (summary, _("95 %% intervals from %s bootstrap rounds (seed %s)"),
                              rounds, seed);
    }
  else
    g_string_append (summary, _("no bootstrap, so no intervals"));
  gtk_label_set_text (self->summary_label, summary->str);

  ka_rating_result_get_position_bias (result, &left_wins, &decisive, &share, &lo, &hi);
  if (decisive > 0)
    {
      g_autofree char *s = ka_format_percent (share);
      g_autofree char *l = ka_format_percent (lo);
      g_autofree char *h = ka_format_percent (hi);
      g_autofree char *d = ka_format_count (decisive);

      /* Translators: share, number of ballots, lower and upper bound. */
      bias = g_strdup_printf (_("Position bias: the left answer won %s of %s decisive ballots "
                                "(95 %% interval %s – %s; 50 %% means no bias)"),
                              s, d, l, h);
    }
  else
    bias = g_strdup (_("Position bias: no decisive ballot"));
  gtk_label_set_text (self->bias_label, bias);

  set_warnings (self, ka_rating_result_get_warnings (result));
  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, TRUE);
  gtk_stack_set_visible_child_name (self->content_stack, "results");
}

static void
update_export_action (KaOrganiserWindow *self)
{
  gboolean can = self->loaded != NULL && self->loaded->ballots != NULL &&
                 self->loaded->ballots->len > 0 && self->loaded->packs->len > 0 &&
                 !self->exporting;
  const char *tooltip;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "organiser.export", can);

  if (can)
    tooltip = _("Export every ballot of this source (filters do not apply): CSV, JSON Lines, "
                "FastChat battles, the tally and a manifest to audit them");
  else if (self->exporting)
    tooltip = _("Exporting…");
  else if (self->loaded != NULL && self->loaded->input == KA_INPUT_FASTCHAT)
    tooltip = _("A FastChat battle file has no ballots or hash chains to export");
  else if (self->loaded != NULL && self->loaded->packs->len == 0)
    tooltip = _("Exporting needs the open pack that says which model wrote each answer");
  else
    tooltip = _("There are no ballots to export");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->export_button), tooltip);
}

/* ------------------------------------------------------------------------------------ */
/* Filters */

static void
sync_filter_widgets (KaOrganiserWindow *self)
{
  GListModel *model;
  guint selected = 0;

  self->syncing_widgets = TRUE;

  model = gtk_drop_down_get_model (self->category_dropdown);
  if (self->category != NULL && model != NULL)
    for (guint i = 1; i < g_list_model_get_n_items (model); i++)
      if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i), self->category) == 0)
        selected = i;
  gtk_drop_down_set_selected (self->category_dropdown, selected);

  selected = 0;
  for (guint i = 0; self->mode != NULL && self->mode_ids != NULL && self->mode_ids[i] != NULL; i++)
    if (g_str_equal (self->mode_ids[i], self->mode))
      selected = i + 1;
  gtk_drop_down_set_selected (self->mode_dropdown, selected);

  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->since_entry)), self->since) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->since_entry), self->since);
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->until_entry)), self->until) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->until_entry), self->until);

  self->syncing_widgets = FALSE;
}

/* Fills the dropdowns with the categories and modes of the loaded ballots. */
static void
populate_filters (KaOrganiserWindow *self)
{
  g_autoptr(GtkStringList) categories = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) modes = gtk_string_list_new (NULL);
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  gboolean has_categories, has_modes;

  gtk_string_list_append (categories, _("All categories"));
  gtk_string_list_append (modes, _("All modes"));

  for (guint i = 0; self->loaded != NULL && self->loaded->categories[i] != NULL; i++)
    gtk_string_list_append (categories, self->loaded->categories[i]);
  for (guint i = 0; self->loaded != NULL && self->loaded->modes[i] != NULL; i++)
    {
      gtk_string_list_append (modes, mode_label (self->loaded->modes[i]));
      g_strv_builder_add (ids, self->loaded->modes[i]);
    }

  g_strfreev (self->mode_ids);
  self->mode_ids = g_strv_builder_end (ids);

  has_categories = g_list_model_get_n_items (G_LIST_MODEL (categories)) > 1;
  has_modes = g_list_model_get_n_items (G_LIST_MODEL (modes)) > 1;

  self->syncing_widgets = TRUE;
  gtk_drop_down_set_model (self->category_dropdown, G_LIST_MODEL (categories));
  gtk_drop_down_set_model (self->mode_dropdown, G_LIST_MODEL (modes));
  self->syncing_widgets = FALSE;

  gtk_widget_set_sensitive (GTK_WIDGET (self->category_dropdown), has_categories);
  gtk_widget_set_sensitive (GTK_WIDGET (self->mode_dropdown), has_modes);

  sync_filter_widgets (self);
}

static void
set_string_property (KaOrganiserWindow  *self,
                     char              **field,
                     const char         *value,
                     GParamSpec         *pspec)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  sync_filter_widgets (self);
  schedule_recompute (self);
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
category_selected_cb (KaOrganiserWindow *self)
{
  guint selected = gtk_drop_down_get_selected (self->category_dropdown);
  GListModel *model = gtk_drop_down_get_model (self->category_dropdown);

  if (self->syncing_widgets || model == NULL)
    return;

  set_string_property (self, &self->category,
                       selected == 0 || selected == GTK_INVALID_LIST_POSITION
                         ? NULL : gtk_string_list_get_string (GTK_STRING_LIST (model), selected),
                       properties[PROP_CATEGORY]);
}

static void
mode_selected_cb (KaOrganiserWindow *self)
{
  guint selected = gtk_drop_down_get_selected (self->mode_dropdown);

  if (self->syncing_widgets || self->mode_ids == NULL)
    return;

  set_string_property (self, &self->mode,
                       selected == 0 || selected > g_strv_length (self->mode_ids)
                         ? NULL : self->mode_ids[selected - 1],
                       properties[PROP_MODE]);
}

static void
date_changed_cb (KaOrganiserWindow *self,
                 GtkEditable       *entry)
{
  const char *text = gtk_editable_get_text (entry);
  gboolean since = entry == GTK_EDITABLE (self->since_entry);
  gint64 us;

  if (self->syncing_widgets)
    return;

  /* Recompute only on a complete date (or none): not on every keystroke of "2026-1". */
  if (*text == '\0' || parse_day (text, !since, &us))
    {
      gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
      set_string_property (self, since ? &self->since : &self->until, text,
                           properties[since ? PROP_SINCE : PROP_UNTIL]);
    }
  else
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
}

static void
clear_filters_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  KaOrganiserWindow *self = KA_ORGANISER_WINDOW (widget);

  g_object_freeze_notify (G_OBJECT (self));
  g_object_set (self, "category", NULL, "mode", NULL, "since", "", "until", "", NULL);
  g_object_thaw_notify (G_OBJECT (self));
  gtk_widget_remove_css_class (GTK_WIDGET (self->since_entry), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->until_entry), "error");
}

/* ------------------------------------------------------------------------------------ */
/* Tallying */

typedef struct
{
  GWeakRef      window;
  char         *key;
  GCancellable *cancellable;
} TallyRequest;

static void
tally_request_free (TallyRequest *r)
{
  g_weak_ref_clear (&r->window);
  g_free (r->key);
  g_clear_object (&r->cancellable);
  g_free (r);
}

static void
tally_done_cb (GObject      *source,
               GAsyncResult *res,
               gpointer      user_data)
{
  TallyRequest *request = user_data;
  g_autoptr(KaOrganiserWindow) self = g_weak_ref_get (&request->window);
  g_autoptr(KaRatingResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean current;

  result = ka_rating_tally_finish (res, &error);

  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      tally_request_free (request);
      return;
    }

  if (result != NULL)
    g_hash_table_replace (self->cache, g_strdup (request->key), ka_rating_result_ref (result));

  current = request->cancellable == self->tally_cancellable;
  if (current)
    {
      self->tallying = FALSE;
      g_clear_object (&self->tally_cancellable);

      if (g_strcmp0 (request->key, self->wanted_key) == 0)
        {
          if (result != NULL)
            show_result (self, result);
          else if (g_error_matches (error, KA_RATING_ERROR, KA_RATING_ERROR_NO_DATA))
            {
              set_warnings (self, NULL);
              if (filters_active (self))
                show_empty (self, _("No Ballots Match the Filters"),
                            _("Choose another category, mode or date range, or clear the "
                              "filters."), TRUE);
              else
                show_empty (self, _("No Leaderboard Yet"), error->message, FALSE);
            }
          else
            show_error (self, _("The Ballots Cannot Be Tallied"), error->message);
        }
      update_busy (self);
    }

  tally_request_free (request);
}

static char *
make_key (KaOrganiserWindow *self)
{
  /* \x1f cannot occur in a category typed by a pack author worth supporting. */
  return g_strdup_printf ("%u\x1f%s\x1f%s\x1f%s\x1f%s\x1f%u\x1f%" G_GUINT64_FORMAT,
                          self->generation,
                          self->category != NULL ? self->category : "",
                          self->mode != NULL ? self->mode : "",
                          self->since != NULL ? self->since : "",
                          self->until != NULL ? self->until : "",
                          self->bootstrap_rounds, self->seed);
}

static void
recompute (KaOrganiserWindow *self)
{
  KaRatingFilter filter;
  KaRatingOptions options;
  KaRatingResult *cached;
  TallyRequest *request;
  gboolean dates_ok = TRUE;

  if (self->loaded == NULL)
    return;

  if (self->loaded->n_source == 0 || ka_vote_log_get_n_votes (self->loaded->log) == 0)
    {
      g_clear_pointer (&self->wanted_key, g_free);
      g_cancellable_cancel (self->tally_cancellable);
      g_clear_object (&self->tally_cancellable);
      self->tallying = FALSE;
      set_warnings (self, NULL);
      if (self->loaded->n_source == 0)
        {
          const char *description;

          if (self->source == SOURCE_STORE)
            description = _("No ballot has been cast on this device yet. Ballots appear here "
                            "as soon as they are recorded; read them again with the reload "
                            "button.");
          else if (self->source == SOURCE_COLLECTOR)
            description = _("The collector holds no ballots yet.");
          else
            description = _("The file holds no ballots.");
          show_empty (self, _("No Ballots Yet"), description, FALSE);
        }
      else
        show_empty (self, _("No Ballots Can Be Counted"),
                    _("None of the ballots can be matched to models; the warning above says "
                      "why."), FALSE);
      return;
    }

  ka_rating_filter_init (&filter);
  filter.category = self->category;
  filter.mode = self->mode;
  if (self->since != NULL && *self->since != '\0' && !parse_day (self->since, FALSE, &filter.since_us))
    dates_ok = FALSE;
  if (self->until != NULL && *self->until != '\0' && !parse_day (self->until, TRUE, &filter.until_us))
    dates_ok = FALSE;
  if (!dates_ok)
    return;

  ka_rating_options_init (&options);
  options.bootstrap_rounds = self->bootstrap_rounds;
  options.seed = self->seed;

  g_free (self->wanted_key);
  self->wanted_key = make_key (self);

  cached = g_hash_table_lookup (self->cache, self->wanted_key);
  if (cached != NULL)
    {
      g_cancellable_cancel (self->tally_cancellable);
      g_clear_object (&self->tally_cancellable);
      self->tallying = FALSE;
      show_result (self, cached);
      return;
    }

  g_cancellable_cancel (self->tally_cancellable);
  g_clear_object (&self->tally_cancellable);
  self->tally_cancellable = g_cancellable_new ();
  self->tallying = TRUE;
  self->n_tallies++;

  /* Keep the previous leaderboard visible while the new one is computed. */
  if (self->shown == NULL)
    {
      gtk_label_set_text (self->loading_label, _("Tallying the ballots…"));
      gtk_stack_set_visible_child_name (self->content_stack, "loading");
    }

  request = g_new0 (TallyRequest, 1);
  g_weak_ref_init (&request->window, self);
  request->key = g_strdup (self->wanted_key);
  request->cancellable = g_object_ref (self->tally_cancellable);

  ka_rating_tally_async (self->loaded->log, &filter, &options, self->tally_cancellable,
                         tally_done_cb, request);
}

static gboolean
recompute_idle_cb (gpointer user_data)
{
  KaOrganiserWindow *self = user_data;

  self->recompute_id = 0;
  recompute (self);
  update_busy (self);

  return G_SOURCE_REMOVE;
}

/* Coalesces several filter changes (clear-filters sets four) into one tally. */
static void
schedule_recompute (KaOrganiserWindow *self)
{
  if (self->recompute_id != 0 || self->loaded == NULL)
    return;

  /* Above the redraw priority: a spinning spinner with slow frames must not starve it. */
  self->recompute_id = g_idle_add_full (G_PRIORITY_DEFAULT, recompute_idle_cb, self, NULL);
  update_busy (self);
}

/* ------------------------------------------------------------------------------------ */
/* Loading */

typedef struct
{
  GWeakRef      window;
  guint         generation;
} LoadRequest;

static void
load_request_free (LoadRequest *r)
{
  g_weak_ref_clear (&r->window);
  g_free (r);
}

static LoadRequest *
load_request_new (KaOrganiserWindow *self)
{
  LoadRequest *r = g_new0 (LoadRequest, 1);

  g_weak_ref_init (&r->window, self);
  r->generation = self->generation;
  return r;
}

static void
load_done_cb (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  LoadRequest *request = user_data;
  g_autoptr(KaOrganiserWindow) self = g_weak_ref_get (&request->window);
  g_autoptr(GError) error = NULL;
  KaBallotLoad *l;

  l = ka_ballot_source_load_finish (KA_BALLOT_SOURCE (source), res, &error);

  if (self == NULL || request->generation != self->generation ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_pointer (&l, ka_ballot_load_free);
      load_request_free (request);
      return;
    }
  load_request_free (request);

  self->loading = FALSE;
  g_clear_object (&self->load_cancellable);

  if (l == NULL)
    {
      if (g_error_matches (error, KA_BALLOT_SOURCE_ERROR, KA_BALLOT_SOURCE_ERROR_COLLECTOR))
        show_error (self, _("The Collector Cannot Be Read"), error->message);
      else
        show_error (self, _("The Ballots Cannot Be Read"), error->message);
      update_export_action (self);
      update_busy (self);
      return;
    }

  self->loaded = l;
  populate_filters (self);
  update_export_action (self);
  recompute (self);
  update_busy (self);
}

static void
source_downloading_cb (KaOrganiserWindow *self)
{
  gtk_label_set_text (self->loading_label,
                      self->source_object != NULL &&
                      ka_ballot_source_get_downloading (self->source_object)
                      ? _("Downloading the ballots…") : _("Reading the ballots…"));
}

static KaBallotSource *
make_source (KaOrganiserWindow  *self,
             GError            **error)
{
  switch (self->source)
    {
    case SOURCE_STORE:
      return ka_ballot_source_new_store (self->database_path);
    case SOURCE_FILE:
      return ka_ballot_source_new_file (self->source_file);
    case SOURCE_COLLECTOR:
      return ka_ballot_source_new_collector (self->collector_url,
                                             self->collector_token != NULL ? self->collector_token : "",
                                             error);
    case SOURCE_NONE:
    default:
      g_assert_not_reached ();
    }
}

static void
start_load (KaOrganiserWindow *self)
{
  g_autoptr(GStrvBuilder) packs = g_strv_builder_new ();
  g_auto(GStrv) pack_paths = NULL;
  g_autoptr(GError) error = NULL;

  if (self->source_object != NULL)
    g_signal_handlers_disconnect_by_data (self->source_object, self);
  g_clear_object (&self->source_object);
  self->source_object = make_source (self, &error);
  if (self->source_object == NULL)
    {
      /* The same rule as the sync client (DESIGN.md §8): TLS for any host but this
       * computer, so the organiser token never travels in clear. */
      self->loading = FALSE;
      g_clear_object (&self->load_cancellable);
      if (g_error_matches (error, KA_SYNC_ERROR, KA_SYNC_ERROR_INSECURE_URL))
        show_error (self, _("The Collector Cannot Be Read"),
                    _("The organiser token is sent only over https (plain http is allowed only "
                      "to this computer)."));
      else
        show_error (self, _("The Collector Cannot Be Read"),
                    _("The collector’s address must be an https:// URL, such as "
                      "https://collector.example.org."));
      update_busy (self);
      return;
    }
  g_signal_connect_object (self->source_object, "notify::downloading",
                           G_CALLBACK (source_downloading_cb), self, G_CONNECT_SWAPPED);

  if (self->pack_path != NULL)
    g_strv_builder_add (packs, self->pack_path);
  for (guint i = 0; i < self->extra_packs->len; i++)
    g_strv_builder_add (packs, g_ptr_array_index (self->extra_packs, i));
  pack_paths = g_strv_builder_end (packs);

  ka_ballot_source_load_async (self->source_object, (const char * const *) pack_paths,
                               self->load_cancellable, load_done_cb, load_request_new (self));
}

static void
load_source (KaOrganiserWindow *self)
{
  g_autofree char *subtitle = describe_source (self);

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_cancellable_cancel (self->tally_cancellable);
  g_clear_object (&self->tally_cancellable);
  g_clear_handle_id (&self->recompute_id, g_source_remove);

  self->generation++;
  g_clear_pointer (&self->loaded, ka_ballot_load_free);
  g_clear_pointer (&self->wanted_key, g_free);
  g_hash_table_remove_all (self->cache);
  clear_result (self);
  set_warnings (self, NULL);

  adw_view_switcher_title_set_subtitle (self->switcher_title, subtitle);
  gtk_label_set_text (self->loading_label, _("Reading the ballots…"));
  gtk_stack_set_visible_child_name (self->content_stack, "loading");

  self->tallying = FALSE;
  self->loading = TRUE;
  self->load_cancellable = g_cancellable_new ();
  update_export_action (self);
  update_busy (self);

  start_load (self);
}

/* ------------------------------------------------------------------------------------ */
/* Export */

typedef struct
{
  char            *directory;
  GPtrArray       *ballots;
  GPtrArray       *packs;
  KaRatingOptions  options;
} ExportData;

static void
export_data_free (ExportData *d)
{
  g_free (d->directory);
  g_clear_pointer (&d->ballots, g_ptr_array_unref);
  g_clear_pointer (&d->packs, g_ptr_array_unref);
  g_free (d);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportData *d = task_data;
  g_autoptr(GPtrArray) problems = NULL;
  GError *error = NULL;

  if (!ka_export_write (d->directory, d->ballots, d->packs, &d->options, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* Self-check, as `kai-arena-admin export` does: an export that does not audit clean
   * says so at once. */
  problems = ka_export_audit (d->directory, d->packs, &error);
  if (problems == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_int (task, problems->len);
}

/**
 * ka_organiser_window_export_async:
 * @directory: the export directory (created; must be empty or missing)
 *
 * Writes every ballot of the current source with ka_export_write() (ballots.csv with BOM,
 * ballots.jsonl, battles-fastchat.json, tally.csv with the window's bootstrap rounds and
 * seed, manifest.json), then audits it with ka_export_audit(), in a worker thread.
 */
void
ka_organiser_window_export_async (KaOrganiserWindow  *self,
                                  const char         *directory,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  ExportData *d;

  g_return_if_fail (KA_IS_ORGANISER_WINDOW (self));
  g_return_if_fail (directory != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ka_organiser_window_export_async);

  if (self->loaded == NULL || self->loaded->ballots == NULL || self->loaded->ballots->len == 0 ||
      self->loaded->packs->len == 0)
    {
      g_task_return_new_error (task, KA_EXPORT_ERROR, KA_EXPORT_ERROR_INVALID,
                               "%s", _("There are no ballots with an open pack to export"));
      return;
    }

  d = g_new0 (ExportData, 1);
  d->directory = g_strdup (directory);
  d->ballots = g_ptr_array_ref (self->loaded->ballots);
  d->packs = g_ptr_array_ref (self->loaded->packs);
  ka_rating_options_init (&d->options);
  d->options.bootstrap_rounds = self->bootstrap_rounds;
  d->options.seed = self->seed;
  g_task_set_task_data (task, d, (GDestroyNotify) export_data_free);

  self->exporting = TRUE;
  update_export_action (self);
  g_task_run_in_thread (task, export_thread);
}

/**
 * ka_organiser_window_export_finish:
 * @n_problems: (out) (optional): problems the audit found (0 for a sound export)
 *
 * Returns: %TRUE if the export was written
 */
gboolean
ka_organiser_window_export_finish (KaOrganiserWindow  *self,
                                   GAsyncResult       *result,
                                   guint              *n_problems,
                                   GError            **error)
{
  gssize n;

  g_return_val_if_fail (KA_IS_ORGANISER_WINDOW (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  self->exporting = FALSE;
  update_export_action (self);

  n = g_task_propagate_int (G_TASK (result), error);
  if (n < 0)
    return FALSE;
  if (n_problems != NULL)
    *n_problems = (guint) n;
  return TRUE;
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *res,
                gpointer      user_data)
{
  KaOrganiserWindow *self = KA_ORGANISER_WINDOW (source);
  g_autofree char *directory = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_path_get_basename (directory);
  g_autofree char *text = NULL;
  guint n_problems = 0;
  AdwToast *toast;

  if (!ka_organiser_window_export_finish (self, res, &n_problems, &error))
    {
      g_warning ("Export to %s failed: %s", directory, error->message);
      text = g_strdup_printf (_("The export failed: %s"), error->message);
      toast_message (self, text);
      return;
    }

  if (n_problems == 0)
    text = g_strdup_printf (_("Exported to “%s”; its audit passed"), name);
  else
    text = g_strdup_printf (ngettext ("Exported to “%s”, but its audit found %u problem",
                                      "Exported to “%s”, but its audit found %u problems",
                                      n_problems),
                            name, n_problems);

  toast = show_toast (self, text, 10);
  adw_toast_set_button_label (toast, _("_Open Folder"));
  {
    g_autoptr(GFile) file = g_file_new_for_path (directory);
    g_autofree char *uri = g_file_get_uri (file);

    adw_toast_set_action_name (toast, "organiser.show-folder");
    adw_toast_set_action_target_value (toast, g_variant_new_string (uri));
  }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static char *
new_export_directory (const char *parent)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *base = g_strdup_printf ("kai-arena-export-%s", stamp);
  char *path = g_build_filename (parent, base, NULL);

  for (guint i = 2; g_file_test (path, G_FILE_TEST_EXISTS) && i < 1000; i++)
    {
      g_autofree char *other = g_strdup_printf ("%s-%u", base, i);

      g_free (path);
      path = g_build_filename (parent, other, NULL);
    }

  return path;
}

static void
export_chooser_response_cb (GtkNativeDialog *chooser,
                            int              response,
                            gpointer         user_data)
{
  KaOrganiserWindow *self = KA_ORGANISER_WINDOW (user_data);
  g_autoptr(GFile) folder = NULL;
  g_autofree char *path = NULL;
  g_autofree char *directory = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_object_unref (chooser);

  if (folder == NULL)
    return;

  path = g_file_get_path (folder);
  if (path == NULL)
    {
      toast_message (self, _("The export needs a folder on this computer"));
      return;
    }

  directory = new_export_directory (path);
  /* export_done_cb() owns the copy it gets. */
  ka_organiser_window_export_async (self, directory, NULL, export_done_cb,
                                    g_strdup (directory));
}

static void
export_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  KaOrganiserWindow *self = KA_ORGANISER_WINDOW (widget);
  GtkFileChooserNative *chooser;

  /* GtkFileChooserNative goes through the file chooser portal when sandboxed. */
  chooser = gtk_file_chooser_native_new (_("Choose a Folder for the Export"),
                                         GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         _("_Export Here"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (export_chooser_response_cb),
                           self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
show_folder_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  gtk_show_uri (GTK_WINDOW (widget), g_variant_get_string (param, NULL), GDK_CURRENT_TIME);
}

/* ------------------------------------------------------------------------------------ */
/* Source actions */

static void
open_store_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  ka_organiser_window_open_store (KA_ORGANISER_WINDOW (widget));
}

static void
file_chooser_response_cb (GtkNativeDialog *chooser,
                          int              response,
                          gpointer         user_data)
{
  KaOrganiserWindow *self = KA_ORGANISER_WINDOW (user_data);
  gboolean pack = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "ka-pack"));
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_object_unref (chooser);

  if (file == NULL)
    return;

  if (pack)
    {
      g_autofree char *path = g_file_get_path (file);

      if (path == NULL)
        toast_message (self, _("The pack must be a file on this computer"));
      else
        ka_organiser_window_add_pack (self, path);
    }
  else
    ka_organiser_window_open_file (self, file);
}

static void
choose_file (KaOrganiserWindow *self,
             gboolean           pack)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (pack ? _("Choose an Open Battle Pack")
                                              : _("Choose a Ballot or Battle File"),
                                         GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);

  gtk_file_filter_set_name (filter, pack ? _("Battle packs (JSON)")
                                         : _("Ballots and battles (JSON, JSON Lines)"));
  gtk_file_filter_add_suffix (filter, "json");
  if (!pack)
    {
      gtk_file_filter_add_suffix (filter, "jsonl");
      gtk_file_filter_add_suffix (filter, "ndjson");
    }
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);

  g_object_set_data (G_OBJECT (chooser), "ka-pack", GINT_TO_POINTER (pack));
  g_signal_connect_object (chooser, "response", G_CALLBACK (file_chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
open_file_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  choose_file (KA_ORGANISER_WINDOW (widget), FALSE);
}

static void
add_pack_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  choose_file (KA_ORGANISER_WINDOW (widget), TRUE);
}

static void
collector_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       gpointer          user_data)
{
  KaOrganiserWindow *self = KA_ORGANISER_WINDOW (user_data);
  GtkEditable *url = g_object_get_data (G_OBJECT (dialog), "ka-url");
  GtkEditable *token = g_object_get_data (G_OBJECT (dialog), "ka-token");

  if (g_strcmp0 (response, "connect") != 0)
    return;

  ka_organiser_window_open_collector (self, gtk_editable_get_text (url),
                                      gtk_editable_get_text (token));
}

static void
open_collector_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  KaOrganiserWindow *self = KA_ORGANISER_WINDOW (widget);
  GtkWidget *dialog, *list, *url, *token;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Read Ballots from a Collector"),
                                   _("The organisers’ collector lists every ballot it "
                                     "received. Its organiser token is used for this request "
                                     "only and is not saved."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "connect", _("C_onnect"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "connect",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "connect");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  url = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (url), _("Address (https://…)"));
  if (self->collector_url != NULL)
    gtk_editable_set_text (GTK_EDITABLE (url), self->collector_url);
  token = adw_password_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (token), _("Organiser token"));
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (token), TRUE);
  gtk_list_box_append (GTK_LIST_BOX (list), url);
  gtk_list_box_append (GTK_LIST_BOX (list), token);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), list);

  g_object_set_data (G_OBJECT (dialog), "ka-url", url);
  g_object_set_data (G_OBJECT (dialog), "ka-token", token);
  g_signal_connect_object (dialog, "response", G_CALLBACK (collector_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
reload_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  ka_organiser_window_reload (KA_ORGANISER_WINDOW (widget));
}

/* ------------------------------------------------------------------------------------ */
/* GObject */

static void
ka_organiser_window_constructed (GObject *object)
{
  KaOrganiserWindow *self = KA_ORGANISER_WINDOW (object);

  G_OBJECT_CLASS (ka_organiser_window_parent_class)->constructed (object);

  g_object_bind_property (self, "bootstrap-rounds", self->rounds_adjustment, "value",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self, "seed", self->seed_adjustment, "value",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);

  /* The local store is the default source: it is what the app has. */
  ka_organiser_window_open_store (self);
}

static void
ka_organiser_window_dispose (GObject *object)
{
  KaOrganiserWindow *self = KA_ORGANISER_WINDOW (object);

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_cancellable_cancel (self->tally_cancellable);
  g_clear_object (&self->tally_cancellable);
  g_clear_handle_id (&self->recompute_id, g_source_remove);
  if (self->source_object != NULL)
    g_signal_handlers_disconnect_by_data (self->source_object, self);
  g_clear_object (&self->source_object);

  gtk_widget_dispose_template (GTK_WIDGET (self), KA_TYPE_ORGANISER_WINDOW);

  g_clear_pointer (&self->loaded, ka_ballot_load_free);
  g_clear_pointer (&self->shown, ka_rating_result_unref);
  g_clear_object (&self->source_file);
  if (self->cache != NULL)
    g_hash_table_remove_all (self->cache);

  G_OBJECT_CLASS (ka_organiser_window_parent_class)->dispose (object);
}

static void
ka_organiser_window_finalize (GObject *object)
{
  KaOrganiserWindow *self = KA_ORGANISER_WINDOW (object);

  g_free (self->database_path);
  g_free (self->pack_path);
  g_free (self->collector_url);
  if (self->collector_token != NULL)
    memset (self->collector_token, 0, strlen (self->collector_token));
  g_free (self->collector_token);
  g_ptr_array_unref (self->extra_packs);
  g_free (self->category);
  g_free (self->mode);
  g_free (self->since);
  g_free (self->until);
  g_strfreev (self->mode_ids);
  g_hash_table_unref (self->cache);
  g_free (self->wanted_key);
  g_free (self->last_message);

  G_OBJECT_CLASS (ka_organiser_window_parent_class)->finalize (object);
}

static void
ka_organiser_window_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  KaOrganiserWindow *self = KA_ORGANISER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DATABASE_PATH:
      g_value_set_string (value, self->database_path);
      break;

    case PROP_PACK_PATH:
      g_value_set_string (value, self->pack_path);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, is_busy (self));
      break;

    case PROP_CATEGORY:
      g_value_set_string (value, self->category);
      break;

    case PROP_MODE:
      g_value_set_string (value, self->mode);
      break;

    case PROP_SINCE:
      g_value_set_string (value, self->since);
      break;

    case PROP_UNTIL:
      g_value_set_string (value, self->until);
      break;

    case PROP_BOOTSTRAP_ROUNDS:
      g_value_set_uint (value, self->bootstrap_rounds);
      break;

    case PROP_SEED:
      g_value_set_uint64 (value, self->seed);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_organiser_window_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  KaOrganiserWindow *self = KA_ORGANISER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DATABASE_PATH:
      self->database_path = g_value_dup_string (value);
      break;

    case PROP_PACK_PATH:
      self->pack_path = g_value_dup_string (value);
      break;

    case PROP_CATEGORY:
      set_string_property (self, &self->category, g_value_get_string (value), pspec);
      break;

    case PROP_MODE:
      set_string_property (self, &self->mode, g_value_get_string (value), pspec);
      break;

    case PROP_SINCE:
      set_string_property (self, &self->since,
                           g_value_get_string (value) != NULL ? g_value_get_string (value) : "",
                           pspec);
      break;

    case PROP_UNTIL:
      set_string_property (self, &self->until,
                           g_value_get_string (value) != NULL ? g_value_get_string (value) : "",
                           pspec);
      break;

    case PROP_BOOTSTRAP_ROUNDS:
      if (self->bootstrap_rounds != g_value_get_uint (value))
        {
          self->bootstrap_rounds = g_value_get_uint (value);
          schedule_recompute (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_SEED:
      if (self->seed != g_value_get_uint64 (value))
        {
          self->seed = g_value_get_uint64 (value);
          schedule_recompute (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_organiser_window_class_init (KaOrganiserWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ka_organiser_window_constructed;
  object_class->dispose = ka_organiser_window_dispose;
  object_class->finalize = ka_organiser_window_finalize;
  object_class->get_property = ka_organiser_window_get_property;
  object_class->set_property = ka_organiser_window_set_property;

  /* The app's ballot database (the "local store" source); it may not exist yet. */
  properties[PROP_DATABASE_PATH] =
    g_param_spec_string ("database-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* The app's battle pack; when open, it says which model wrote each answer. */
  properties[PROP_PACK_PATH] =
    g_param_spec_string ("pack-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Reading, tallying or about to tally. */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* Filters: NULL (or "") for all. */
  properties[PROP_CATEGORY] =
    g_param_spec_string ("category", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODE] =
    g_param_spec_string ("mode", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* First and last day (YYYY-MM-DD, UTC, inclusive), or "". */
  properties[PROP_SINCE] =
    g_param_spec_string ("since", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_UNTIL] =
    g_param_spec_string ("until", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BOOTSTRAP_ROUNDS] =
    g_param_spec_uint ("bootstrap-rounds", NULL, NULL,
                       0, MAX_BOOTSTRAP_ROUNDS, KA_RATING_DEFAULT_BOOTSTRAP,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Fixed by default, so that reopening the window shows the same intervals. */
  properties[PROP_SEED] =
    g_param_spec_uint64 ("seed", NULL, NULL, 0, G_MAXINT32, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (KA_TYPE_LEADERBOARD_VIEW);
  g_type_ensure (KA_TYPE_INTERVAL_CHART);
  g_type_ensure (KA_TYPE_WINRATE_HEATMAP);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kaiarena/Arena/ui/ka-organiser-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, header_spinner);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, source_button);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, export_button);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, rounds_adjustment);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, seed_adjustment);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, category_dropdown);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, mode_dropdown);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, since_entry);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, until_entry);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, warning_revealer);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, warning_label);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, loading_label);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, empty_clear_button);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, summary_label);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, bias_label);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, leaderboard_paned);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, leaderboard_view);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, interval_chart);
  gtk_widget_class_bind_template_child (widget_class, KaOrganiserWindow, winrate_heatmap);

  gtk_widget_class_install_action (widget_class, "organiser.open-store", NULL,
                                   open_store_activated);
  gtk_widget_class_install_action (widget_class, "organiser.open-file", NULL,
                                   open_file_activated);
  gtk_widget_class_install_action (widget_class, "organiser.open-collector", NULL,
                                   open_collector_activated);
  gtk_widget_class_install_action (widget_class, "organiser.add-pack", NULL,
                                   add_pack_activated);
  gtk_widget_class_install_action (widget_class, "organiser.reload", NULL, reload_activated);
  gtk_widget_class_install_action (widget_class, "organiser.clear-filters", NULL,
                                   clear_filters_activated);
  gtk_widget_class_install_action (widget_class, "organiser.export", NULL, export_activated);
  gtk_widget_class_install_action (widget_class, "organiser.show-folder", "s",
                                   show_folder_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "organiser.open-file", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK,
                                       "organiser.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK,
                                       "organiser.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "organiser.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
}

static void
ka_organiser_window_init (KaOrganiserWindow *self)
{
  self->bootstrap_rounds = KA_RATING_DEFAULT_BOOTSTRAP;
  self->seed = 0;
  self->since = g_strdup ("");
  self->until = g_strdup ("");
  self->extra_packs = g_ptr_array_new_with_free_func (g_free);
  self->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) ka_rating_result_unref);

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->category_dropdown, "notify::selected",
                           G_CALLBACK (category_selected_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->mode_dropdown, "notify::selected",
                           G_CALLBACK (mode_selected_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->since_entry, "changed",
                           G_CALLBACK (date_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->until_entry, "changed",
                           G_CALLBACK (date_changed_cb), self, G_CONNECT_SWAPPED);

  gtk_widget_set_visible (GTK_WIDGET (self->header_spinner), FALSE);
  gtk_paned_set_position (self->leaderboard_paned, 640);

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}

/* ------------------------------------------------------------------------------------ */
/* Public API */

/**
 * ka_organiser_window_new:
 * @application: (nullable): the application, or %NULL in tests
 * @database_path: (nullable): the app's ballot database, the default source
 * @pack_path: (nullable): the app's battle pack, to say which model wrote each answer
 */
KaOrganiserWindow *
ka_organiser_window_new (GtkApplication *application,
                         const char     *database_path,
                         const char     *pack_path)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);

  return g_object_new (KA_TYPE_ORGANISER_WINDOW,
                       "application", application,
                       "database-path", database_path,
                       "pack-path", pack_path,
                       NULL);
}

/* Reads the app's own store (read-only, beside the voting window's connection). */
void
ka_organiser_window_open_store (KaOrganiserWindow *self)
{
  g_return_if_fail (KA_IS_ORGANISER_WINDOW (self));

  self->source = SOURCE_STORE;
  g_clear_object (&self->source_file);
  load_source (self);
}

/**
 * ka_organiser_window_open_file:
 * @file: our ballots (JSON Lines) or FastChat battles (JSON array or JSON Lines)
 */
void
ka_organiser_window_open_file (KaOrganiserWindow *self,
                               GFile             *file)
{
  g_return_if_fail (KA_IS_ORGANISER_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  self->source = SOURCE_FILE;
  g_set_object (&self->source_file, file);
  load_source (self);
}

/**
 * ka_organiser_window_open_collector:
 * @url: the collector's base URL (https, or http to a loopback address)
 * @token: the organiser token, sent as `Authorization: Bearer`; kept in memory only
 *
 * Reads `GET /v1/ballots?format=jsonl` (docs/protocol.md §5.6).
 */
void
ka_organiser_window_open_collector (KaOrganiserWindow *self,
                                    const char        *url,
                                    const char        *token)
{
  g_return_if_fail (KA_IS_ORGANISER_WINDOW (self));
  g_return_if_fail (url != NULL);

  self->source = SOURCE_COLLECTOR;
  g_clear_object (&self->source_file);
  g_free (self->collector_url);
  self->collector_url = g_strdup (url);
  g_free (self->collector_token);
  self->collector_token = g_strdup (token);
  load_source (self);
}

/**
 * ka_organiser_window_add_pack:
 * @pack_path: an open battle pack
 *
 * Adds a pack that reveals the models of ballots cast on it, and reads the source again.
 */
void
ka_organiser_window_add_pack (KaOrganiserWindow *self,
                              const char        *pack_path)
{
  g_return_if_fail (KA_IS_ORGANISER_WINDOW (self));
  g_return_if_fail (pack_path != NULL);

  g_ptr_array_add (self->extra_packs, g_strdup (pack_path));
  ka_organiser_window_reload (self);
}

/* Reads the current source again (new ballots), dropping the cached tallies. */
void
ka_organiser_window_reload (KaOrganiserWindow *self)
{
  g_return_if_fail (KA_IS_ORGANISER_WINDOW (self));

  if (self->source != SOURCE_NONE)
    load_source (self);
}

gboolean
ka_organiser_window_get_busy (KaOrganiserWindow *self)
{
  g_return_val_if_fail (KA_IS_ORGANISER_WINDOW (self), FALSE);

  return is_busy (self);
}

/* Returns: "loading", "empty", "error" or "results" */
const char *
ka_organiser_window_get_page (KaOrganiserWindow *self)
{
  g_return_val_if_fail (KA_IS_ORGANISER_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->content_stack);
}

/* Returns: (transfer none) (nullable): the leaderboard shown */
KaRatingResult *
ka_organiser_window_get_result (KaOrganiserWindow *self)
{
  g_return_val_if_fail (KA_IS_ORGANISER_WINDOW (self), NULL);

  return self->shown;
}

/* Returns: ballots (or battles) in the source, counted or not; -1 before it is read */
gint64
ka_organiser_window_get_n_source_ballots (KaOrganiserWindow *self)
{
  g_return_val_if_fail (KA_IS_ORGANISER_WINDOW (self), -1);

  return self->loaded != NULL ? self->loaded->n_source : -1;
}

/* Returns: (transfer none): the warnings box's text, "" when it is hidden */
const char *
ka_organiser_window_get_warning_text (KaOrganiserWindow *self)
{
  g_return_val_if_fail (KA_IS_ORGANISER_WINDOW (self), NULL);

  return gtk_revealer_get_reveal_child (self->warning_revealer)
    ? gtk_label_get_text (self->warning_label) : "";
}

const char *
ka_organiser_window_get_summary_text (KaOrganiserWindow *self)
{
  g_return_val_if_fail (KA_IS_ORGANISER_WINDOW (self), NULL);

  return gtk_label_get_text (self->summary_label);
}

const char *
ka_organiser_window_get_bias_text (KaOrganiserWindow *self)
{
  g_return_val_if_fail (KA_IS_ORGANISER_WINDOW (self), NULL);

  return gtk_label_get_text (self->bias_label);
}

/* Returns: (transfer none) (nullable): the text of the last toast */
const char *
ka_organiser_window_get_last_message (KaOrganiserWindow *self)
{
  g_return_val_if_fail (KA_IS_ORGANISER_WINDOW (self), NULL);

  return self->last_message;
}

/* Returns: how many tallies were started (cache hits do not count) */
guint
ka_organiser_window_get_n_tallies (KaOrganiserWindow *self)
{
  g_return_val_if_fail (KA_IS_ORGANISER_WINDOW (self), 0);

  return self->n_tallies;
}

KaLeaderboardView *
ka_organiser_window_get_leaderboard_view (KaOrganiserWindow *self)
{
  g_return_val_if_fail (KA_IS_ORGANISER_WINDOW (self), NULL);

  return self->leaderboard_view;
}

KaIntervalChart *
ka_organiser_window_get_interval_chart (KaOrganiserWindow *self)
{
  g_return_val_if_fail (KA_IS_ORGANISER_WINDOW (self), NULL);

  return self->interval_chart;
}

KaWinrateHeatmap *
ka_organiser_window_get_winrate_heatmap (KaOrganiserWindow *self)
{
  g_return_val_if_fail (KA_IS_ORGANISER_WINDOW (self), NULL);

  return self->winrate_heatmap;
}

GtkDropDown *
ka_organiser_window_get_mode_dropdown (KaOrganiserWindow *self)
{
  g_return_val_if_fail (KA_IS_ORGANISER_WINDOW (self), NULL);

  return self->mode_dropdown;
}
