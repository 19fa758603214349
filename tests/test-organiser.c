/* test-organiser.c: the organiser view on real votes, a real store, a loopback collector.
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-organiser"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <adwaita.h>
#include <libsoup/soup.h>
#include <math.h>
#include <string.h>

#include "ka-application.h"
#include "ka-collector-client.h"
#include "ka-export.h"
#include "ka-gui-test-support.h"
#include "ka-interval-chart.h"
#include "ka-leaderboard-view.h"
#include "ka-organiser-window.h"
#include "ka-store.h"
#include "ka-sync.h"
#include "ka-test-support.h"
#include "ka-winrate-heatmap.h"
#include "ka-window.h"

/* ------------------------------------------------------------------------------------ */
/* Helpers */

static char *
human_json_path (void)
{
  return g_test_build_filename (G_TEST_DIST, "data", "chatbot_arena", "human.json", NULL);
}

static void
wait_until_idle (KaOrganiserWindow *window)
{
  while (ka_organiser_window_get_busy (window))
    g_main_context_iteration (NULL, TRUE);
  ka_gui_test_flush ();
}

static KaOrganiserWindow *
open_window (const char *database_path,
             const char *pack_path)
{
  KaOrganiserWindow *window;

  window = g_object_ref (ka_organiser_window_new (NULL, database_path, pack_path));
  gtk_window_set_default_size (GTK_WINDOW (window), 1240, 900);
  gtk_window_present (GTK_WINDOW (window));
  wait_until_idle (window);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  return window;
}

static void
close_window (KaOrganiserWindow *window)
{
  wait_until_idle (window);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* Renders @widget as it is on screen, with its window's renderer. */
static GdkTexture *
render_widget (GtkWidget *widget)
{
  GdkPaintable *paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(GskRenderNode) node = NULL;
  GdkTexture *texture;

  /* Snapshot only a freshly laid-out tree. */
  gtk_test_widget_wait_for_draw (GTK_WIDGET (gtk_widget_get_root (widget)));
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  /* A toplevel's paintable is empty: let the window draw itself (background, CSD, children). */
  if (GTK_IS_WINDOW (widget))
    GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  else
    gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_object_unref (paintable);
  return texture;
}

/* Pixels of @texture whose blue clearly exceeds red (the accent) or red clearly exceeds
 * blue (the heatmap's low end). */
static void
count_tinted (GdkTexture *texture,
              guint      *bluish,
              guint      *reddish)
{
  int w = gdk_texture_get_width (texture);
  int h = gdk_texture_get_height (texture);
  gsize stride = (gsize) w * 4;
  g_autofree guchar *data = g_malloc (stride * h);

  gdk_texture_download (texture, data, stride);
  *bluish = *reddish = 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        const guchar *p = data + y * stride + x * 4;   /* B G R A (cairo ARGB32, LE) */
        int b = p[0], r = p[2];

        if (b > r + 60)
          (*bluish)++;
        else if (r > b + 60)
          (*reddish)++;
      }
}

static void
maybe_save_screenshot (GtkWidget  *widget,
                       const char *variable)
{
  const char *path = g_getenv (variable);
  g_autoptr(GdkTexture) texture = NULL;

  if (path == NULL || *path == '\0')
    return;

  texture = render_widget (widget);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot saved to %s", path);
}

static gboolean
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (find_label (child, text))
      return TRUE;

  return FALSE;
}

/* The rows as shown are in rank order within each group of models compared with each
 * other, and their ranks follow LMArena's rule (1 + the models of the group whose lower
 * bound is above this model's upper bound). */
static void
assert_rank_order (KaOrganiserWindow *window)
{
  GListModel *rows = ka_leaderboard_view_get_shown (ka_organiser_window_get_leaderboard_view (window));
  guint n = g_list_model_get_n_items (rows);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(KaLeaderboardRow) row = g_list_model_get_item (rows, i);
      guint component = ka_leaderboard_row_get_component (row);
      guint above = 0;

      if (i > 0)
        {
          g_autoptr(KaLeaderboardRow) prev = g_list_model_get_item (rows, i - 1);

          g_assert_cmpuint (ka_leaderboard_row_get_component (prev), <=, component);
          if (ka_leaderboard_row_get_component (prev) == component)
            {
              g_assert_cmpuint (ka_leaderboard_row_get_rank (prev), <=, ka_leaderboard_row_get_rank (row));
              g_assert_cmpfloat (ka_leaderboard_row_get_rating (prev), >=, ka_leaderboard_row_get_rating (row));
            }
        }

      g_assert_cmpfloat (ka_leaderboard_row_get_ci_lower (row), <=, ka_leaderboard_row_get_rating (row));
      g_assert_cmpfloat (ka_leaderboard_row_get_ci_upper (row), >=, ka_leaderboard_row_get_rating (row));

      for (guint j = 0; j < n; j++)
        {
          g_autoptr(KaLeaderboardRow) other = g_list_model_get_item (rows, j);

          if (ka_leaderboard_row_get_component (other) == component &&
              ka_leaderboard_row_get_ci_lower (other) > ka_leaderboard_row_get_ci_upper (row))
            above++;
        }
      g_assert_cmpuint (ka_leaderboard_row_get_rank (row), ==, 1 + above);
    }
}

/* ------------------------------------------------------------------------------------ */
/* A small open pack and a store with ballots from both modes, over three days. */

#define N_MODELS  4
#define N_PROMPTS 4
#define N_BALLOTS 240

static const char *model_names[N_MODELS] = { "모델 가", "Model B", "모델 다", "Model D" };

/* Compared pairs; models 2 and 3 never meet. */
static const guint pairs[][2] = { { 0, 1 }, { 0, 2 }, { 0, 3 }, { 1, 2 }, { 1, 3 } };

typedef struct
{
  char   *tmpdir;
  char   *pack_path;
  char   *db_path;
  guint   n_kiosk;
  guint   n_citizen;
  guint   n_writing;
  guint   n_day2;
  guint   n_kiosk_writing;
  GString *jsonl;        /* the ballots as the collector would serve them */
  GString *seal_maps;    /* (nullable) GET /v1/seal-maps, when citizens voted sealed */
} Store;

static void
write_pack (Store *s)
{
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  g_string_append (json, "{\"format\": \"kai-arena-pack/1\", \"pack_id\": \"organiser-test\","
                         "\"title\": {\"ko\": \"결과\", \"en\": \"Results\"}, \"language\": \"ko\","
                         "\"created_at\": \"2026-11-29T00:00:00Z\", \"licence\": \"CC0-1.0\","
                         "\"models\": [");
  for (guint m = 0; m < N_MODELS; m++)
    g_string_append_printf (json, "%s{\"model_id\": \"m%u\", \"display_name\": \"%s\"}",
                            m > 0 ? "," : "", m + 1, model_names[m]);
  g_string_append (json, "], \"prompts\": [");
  for (guint p = 0; p < N_PROMPTS; p++)
    g_string_append_printf (json, "%s{\"prompt_id\": \"p%u\", \"category\": \"%s\", "
                                  "\"turns\": [\"질문 %u\"]}",
                            p > 0 ? "," : "", p + 1, p < 2 ? "coding" : "writing", p + 1);
  g_string_append (json, "], \"responses\": [");
  for (guint p = 0; p < N_PROMPTS; p++)
    for (guint m = 0; m < N_MODELS; m++)
      g_string_append_printf (json, "%s{\"response_id\": \"r%u-%u\", \"prompt_id\": \"p%u\", "
                                    "\"model_id\": \"m%u\", \"turns\": [\"답 %u %u\"]}",
                              p + m > 0 ? "," : "", p + 1, m + 1, p + 1, m + 1, p, m);
  g_string_append (json, "]}");

  s->pack_path = g_build_filename (s->tmpdir, "pack.json", NULL);
  g_file_set_contents (s->pack_path, json->str, -1, &error);
  g_assert_no_error (error);
}

/* With @sealed_citizens, citizens' ballots carry sealed response IDs, as on the
 * collector's sealed copy of the pack (docs/pack-format.md, "Sealing"), and s->seal_maps
 * holds the collector's map back to the open pack's IDs. */
static void
store_setup_full (Store    *s,
                  gboolean  with_ballots,
                  gboolean  sealed_citizens)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KaStore) store = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261201);
  g_autoptr(GPtrArray) listed = NULL;

  memset (s, 0, sizeof *s);
  s->tmpdir = ka_test_make_tmp_dir ("ka-test-organiser-XXXXXX");
  write_pack (s);
  s->db_path = g_build_filename (s->tmpdir, "ballots.sqlite", NULL);
  s->jsonl = g_string_new (NULL);
  if (sealed_citizens)
    s->seal_maps = g_string_new ("{\"seal_maps\": {\"organiser-test\": {");

  store = ka_store_open (s->db_path, &error);
  g_assert_no_error (error);

  for (guint i = 0; with_ballots && i < N_BALLOTS; i++)
    {
      guint pair = i % G_N_ELEMENTS (pairs);
      guint p = (i / G_N_ELEMENTS (pairs)) % N_PROMPTS;
      guint a = pairs[pair][i % 2], b = pairs[pair][1 - i % 2];
      guint day = 1 + i % 3;
      g_autofree char *ra = g_strdup_printf ("r%u-%u", p + 1, a + 1);
      g_autofree char *rb = g_strdup_printf ("r%u-%u", p + 1, b + 1);
      gboolean kiosk = i % 4 == 0;
      g_autofree char *pid = g_strdup_printf ("p%u", p + 1);
      g_autofree char *shown = g_strdup_printf ("2026-12-0%uT09:%02u:%02u.000Z", day, i / 60 % 60, i % 60);
      g_autofree char *voted = g_strdup_printf ("2026-12-0%uT09:%02u:%02u.500Z", day, i / 60 % 60, i % 60);
      double u = g_rand_double (rand);
      KaBallotDraft draft = { 0, };
      KaBallot *ballot;

      if (sealed_citizens && !kiosk)
        {
          char **ids[] = { &ra, &rb };

          for (guint k = 0; k < G_N_ELEMENTS (ids); k++)
            {
              g_autofree char *seed = g_strconcat ("seal/", *ids[k], NULL);
              char *sealed = g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);

              sealed[32] = '\0';
              g_string_append_printf (s->seal_maps, "%s\"%s\": \"%s\"",
                                      s->seal_maps->str[s->seal_maps->len - 1] == '{'
                                      ? "" : ", ", sealed, *ids[k]);
              g_free (*ids[k]);
              *ids[k] = sealed;
            }
        }

      /* A lower index is stronger; some ties and both-bad. */
      if (u < 0.1)
        draft.winner = KA_WINNER_TIE;
      else if (u < 0.15)
        draft.winner = KA_WINNER_BOTH_BAD;
      else
        draft.winner = g_rand_double (rand) < (a < b ? 0.7 : 0.3) ? KA_WINNER_MODEL_A : KA_WINNER_MODEL_B;
      draft.session_id = "session-1";
      draft.pack_id = "organiser-test";
      draft.prompt_id = pid;
      draft.response_a = ra;
      draft.response_b = rb;
      draft.shown_at = shown;
      draft.voted_at = voted;
      draft.decision_ms = 5000;
      draft.mode = kiosk ? KA_MODE_KIOSK : KA_MODE_CITIZEN;
      draft.ui_language = "ko";
      ballot = ka_store_commit_ballot (store, &draft, NULL, &error);
      g_assert_no_error (error);
      ka_ballot_free (ballot);

      s->n_kiosk += kiosk;
      s->n_citizen += !kiosk;
      s->n_writing += p >= 2;
      s->n_day2 += day == 2;
      s->n_kiosk_writing += kiosk && p >= 2;
    }

  if (s->seal_maps != NULL)
    g_string_append (s->seal_maps, "}}}");

  listed = ka_store_list_ballots (store, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < listed->len; i++)
    {
      g_autoptr(JsonNode) node = ka_ballot_to_json (g_ptr_array_index (listed, i));
      g_autofree char *line = json_to_string (node, FALSE);

      g_string_append_printf (s->jsonl, "%s\n", line);
    }
}

static void
store_setup (Store    *s,
             gboolean  with_ballots)
{
  store_setup_full (s, with_ballots, FALSE);
}

static void
store_teardown (Store *s)
{
  ka_test_remove_tree (s->tmpdir);
  g_free (s->tmpdir);
  g_free (s->pack_path);
  g_free (s->db_path);
  g_string_free (s->jsonl, TRUE);
  if (s->seal_maps != NULL)
    g_string_free (s->seal_maps, TRUE);
}

/* ------------------------------------------------------------------------------------ */
/* Tests */

typedef struct
{
  gboolean  done;
  gboolean  ok;
  guint     n_problems;
  GError   *error;
} ExportRun;

static void
export_done_cb (GObject      *source,
                GAsyncResult *res,
                gpointer      user_data)
{
  ExportRun *run = user_data;

  run->ok = ka_organiser_window_export_finish (KA_ORGANISER_WINDOW (source), res,
                                               &run->n_problems, &run->error);
  run->done = TRUE;
}

static void
run_export (KaOrganiserWindow *window,
            const char        *dir,
            ExportRun         *run)
{
  memset (run, 0, sizeof *run);
  ka_organiser_window_export_async (window, dir, NULL, export_done_cb, run);
  while (!run->done)
    g_main_context_iteration (NULL, TRUE);
}


/* The real Chatbot Arena votes: 20 models in rank order, gpt-4 first, ranks consistent with
 * the intervals, the same numbers as the core's own tally, chart and heatmap drawn. */
static void
test_human_json (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = human_json_path ();
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *tmpdir = g_dir_make_tmp ("ka-test-organiser-XXXXXX", &error);
  g_autofree char *db_path = g_build_filename (tmpdir, "none.sqlite", NULL);
  g_autoptr(KaVoteLog) log = ka_vote_log_new ();
  g_autoptr(KaRatingResult) expected = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(KaLeaderboardRow) top = NULL;
  g_autoptr(GdkTexture) chart_texture = NULL;
  g_autoptr(GdkTexture) heatmap_texture = NULL;
  g_autofree char *top_rating = NULL;
  KaOrganiserWindow *window;
  KaRatingResult *result;
  KaLeaderboardView *view;
  KaIntervalChart *chart;
  KaWinrateHeatmap *heatmap;
  KaRatingOptions options;
  GListModel *rows;
  double axis_min, axis_max, step;
  guint bluish, reddish, n_dashes = 0;
  const char *description;

  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  window = open_window (db_path, NULL);
  /* No database yet: the empty state, not a crash. */
  g_assert_cmpstr (ka_organiser_window_get_page (window), ==, "empty");

  ka_organiser_window_open_file (window, file);
  wait_until_idle (window);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  g_assert_cmpstr (ka_organiser_window_get_page (window), ==, "results");
  result = ka_organiser_window_get_result (window);
  g_assert_nonnull (result);
  g_assert_cmpint (ka_organiser_window_get_n_source_ballots (window), ==, 26919);
  g_assert_cmpint (ka_rating_result_get_n_ballots (result), ==, 26919);
  g_assert_cmpuint (ka_rating_result_get_bootstrap_rounds (result), ==, 1000);

  view = ka_organiser_window_get_leaderboard_view (window);
  rows = ka_leaderboard_view_get_shown (view);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 20);
  top = g_list_model_get_item (rows, 0);
  g_assert_cmpstr (ka_leaderboard_row_get_model (top), ==, "gpt-4");
  g_assert_cmpuint (ka_leaderboard_row_get_rank (top), ==, 1);
  assert_rank_order (window);

  /* The same numbers as the core's tally with the window's defaults (1,000 rounds, seed 0),
   * so that kai-arena-admin tally and the window agree. */
  bytes = g_file_load_bytes (file, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ka_export_load_fastchat (log, bytes, &error));
  g_assert_no_error (error);
  ka_rating_options_init (&options);
  expected = ka_rating_tally (log, NULL, &options, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(KaLeaderboardRow) row = g_list_model_get_item (rows, i);
      const KaRatingEntry *e = ka_rating_result_get_entry (expected, i);

      g_assert_cmpstr (ka_leaderboard_row_get_model (row), ==, e->model);
      g_assert_cmpfloat (ka_leaderboard_row_get_rating (row), ==, e->rating);
      g_assert_cmpfloat (ka_leaderboard_row_get_ci_lower (row), ==, e->ci_lower);
      g_assert_cmpfloat (ka_leaderboard_row_get_ci_upper (row), ==, e->ci_upper);
      g_assert_cmpint (ka_leaderboard_row_get_battles (row), ==, e->battles);
    }

  /* The table's cells are bound: gpt-4 and its formatted rating are on screen. */
  top_rating = ka_format_rating (ka_leaderboard_row_get_rating (top));
  g_assert_true (find_label (GTK_WIDGET (view), "gpt-4"));
  g_assert_true (find_label (GTK_WIDGET (view), top_rating));

  /* Position bias with its interval (as formatted for the locale). */
  {
    double share, lo, hi;
    g_autofree char *share_text = NULL;
    g_autofree char *lo_text = NULL;
    g_autofree char *hi_text = NULL;

    ka_rating_result_get_position_bias (result, NULL, NULL, &share, &lo, &hi);
    share_text = ka_format_percent (share);
    lo_text = ka_format_percent (lo);
    hi_text = ka_format_percent (hi);
    g_assert_cmpfloat (lo, <, share);
    g_assert_cmpfloat (share, <, hi);
    g_assert_nonnull (strstr (ka_organiser_window_get_bias_text (window), share_text));
    g_assert_nonnull (strstr (ka_organiser_window_get_bias_text (window), lo_text));
    g_assert_nonnull (strstr (ka_organiser_window_get_bias_text (window), hi_text));
  }

  /* Sorting by a column click reorders the shown rows, not the ranks. */
  {
    GtkColumnView *cv = ka_leaderboard_view_get_column_view (view);
    GListModel *columns = gtk_column_view_get_columns (cv);
    g_autoptr(GtkColumnViewColumn) battles = g_list_model_get_item (columns, 4);
    g_autoptr(KaLeaderboardRow) first = NULL;
    gint64 most = 0;

    /* As a first click on the title does: the most battles first. */
    gtk_column_view_sort_by_column (cv, battles, GTK_SORT_ASCENDING);
    first = g_list_model_get_item (rows, 0);
    for (guint i = 0; i < 20; i++)
      most = MAX (most, ka_rating_result_get_entry (expected, i)->battles);
    g_assert_cmpint (ka_leaderboard_row_get_battles (first), ==, most);
    gtk_column_view_sort_by_column (cv, NULL, GTK_SORT_ASCENDING);
    assert_rank_order (window);
  }

  /* The interval chart: every interval inside its axis, one row per model, drawn in the
   * accent colour, described for screen readers. */
  chart = ka_organiser_window_get_interval_chart (window);
  g_assert_true (ka_interval_chart_get_result (chart) == result);
  ka_interval_chart_get_axis (chart, &axis_min, &axis_max, &step);
  g_assert_cmpfloat (step, >, 0);
  for (guint i = 0; i < 20; i++)
    {
      const KaRatingEntry *e = ka_rating_result_get_entry (result, i);

      g_assert_cmpfloat (axis_min, <=, e->ci_lower);
      g_assert_cmpfloat (axis_max, >=, e->ci_upper);
    }
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (chart)), >=, 20 * 28);
  g_assert_cmpint (ka_interval_chart_get_row_at (chart, 8 + 28 * 19 + 14), ==, 19);
  g_assert_cmpint (ka_interval_chart_get_row_at (chart, 8 + 28 * 20 + 14), ==, -1);
  description = ka_interval_chart_get_description (chart);
  for (guint i = 0; i < 20; i++)
    g_assert_nonnull (strstr (description, ka_rating_result_get_entry (result, i)->model));
  g_assert_nonnull (strstr (description, top_rating));
  chart_texture = render_widget (GTK_WIDGET (chart));
  count_tinted (chart_texture, &bluish, &reddish);
  /* 20 dots of radius 5 and 20 bars: well over a thousand accent pixels. */
  g_assert_cmpuint (bluish, >, 1000);

  /* The heatmap: shown on its page, one cell per ordered pair, labelled and described. */
  {
    GtkWidget *stack = gtk_widget_get_ancestor (GTK_WIDGET (chart), ADW_TYPE_VIEW_STACK);

    adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), "win-rates");
    gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  }
  heatmap = ka_organiser_window_get_winrate_heatmap (window);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (heatmap)));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (heatmap)), >=, 20 * 56);
  for (guint i = 0; i < 20; i++)
    for (guint j = 0; j < 20; j++)
      {
        g_autofree char *text = ka_winrate_heatmap_get_cell_text (heatmap, i, j);
        g_autofree char *tooltip = ka_winrate_heatmap_get_cell_tooltip (heatmap, i, j);
        double rate = ka_rating_result_get_win_rate (result, i, j);
        graphene_rect_t area;
        guint row, column;

        g_assert_nonnull (tooltip);
        g_assert_true (ka_winrate_heatmap_get_cell_area (heatmap, i, j, &area));
        g_assert_true (ka_winrate_heatmap_get_cell_at (heatmap,
                                                       area.origin.x + area.size.width / 2,
                                                       area.origin.y + area.size.height / 2,
                                                       &row, &column));
        g_assert_cmpuint (row, ==, i);
        g_assert_cmpuint (column, ==, j);

        if (i == j)
          g_assert_cmpstr (text, ==, "");
        else if (isnan (rate))
          {
            g_assert_cmpstr (text, ==, "—");
            n_dashes++;
          }
        else
          {
            g_autofree char *want = g_strdup_printf ("%.0f %%", 100.0 * rate);

            g_assert_cmpstr (text, ==, want);
            g_assert_nonnull (strstr (tooltip, ka_rating_result_get_entry (result, j)->model));
          }
      }
  /* Pairs of human.json that never met, if any, are greyed rather than 0 % or 50 %. */
  g_test_message ("%u of 380 heatmap cells without a decisive ballot", n_dashes);
  description = ka_winrate_heatmap_get_description (heatmap);
  {
    g_autofree char *cell = ka_winrate_heatmap_get_cell_text (heatmap, 0, 1);

    g_assert_nonnull (strstr (description, cell));
    g_assert_nonnull (strstr (description, "gpt-4"));
  }
  heatmap_texture = render_widget (GTK_WIDGET (heatmap));
  count_tinted (heatmap_texture, &bluish, &reddish);
  /* gpt-4 wins most of its pairs (blue cells), the last model loses most (red cells). */
  g_assert_cmpuint (bluish, >, 20 * 56 * 30 / 2);
  g_assert_cmpuint (reddish, >, 20 * 56 * 30 / 2);

  /* A FastChat file has no ballots to export. */
  {
    g_autofree char *dir = g_build_filename (tmpdir, "export", NULL);
    ExportRun run;

    run_export (window, dir, &run);
    g_assert_false (run.ok);
    g_assert_error (run.error, KA_EXPORT_ERROR, KA_EXPORT_ERROR_INVALID);
    g_clear_error (&run.error);
  }

  close_window (window);
  ka_test_remove_tree (tmpdir);
}

/* Not a check: with KA_ORGANISER_SCREENSHOT=FILE.png (and optionally
 * KA_ORGANISER_SCREENSHOT_HEATMAP=FILE.png) saves the organiser view on human.json, for
 * docs/screenshots/ (see docs/organiser.md). Skipped otherwise. */
static void
test_screenshot (void)
{
  g_autofree char *path = human_json_path ();
  g_autoptr(GFile) file = g_file_new_for_path (path);
  KaOrganiserWindow *window;

  if (g_getenv ("KA_ORGANISER_SCREENSHOT") == NULL)
    {
      g_test_skip ("set KA_ORGANISER_SCREENSHOT=FILE.png to save a screenshot");
      return;
    }

  window = g_object_ref (ka_organiser_window_new (NULL, NULL, NULL));
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 860);
  gtk_window_present (GTK_WINDOW (window));
  ka_organiser_window_open_file (window, file);
  wait_until_idle (window);
  g_assert_cmpstr (ka_organiser_window_get_page (window), ==, "results");
  maybe_save_screenshot (GTK_WIDGET (window), "KA_ORGANISER_SCREENSHOT");

  {
    GtkWidget *stack = gtk_widget_get_ancestor (GTK_WIDGET (ka_organiser_window_get_interval_chart (window)),
                                                ADW_TYPE_VIEW_STACK);

    adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), "win-rates");
  }
  maybe_save_screenshot (GTK_WIDGET (window), "KA_ORGANISER_SCREENSHOT_HEATMAP");

  close_window (window);
}

static gboolean
has_css_class (GtkWidget  *widget,
               const char *name)
{
  return gtk_widget_has_css_class (widget, name);
}

/* Filters on a store with ballots from both modes change the counts; the cache answers a
 * filter seen before without a new tally. */
static void
test_filters (void)
{
  Store s;
  KaOrganiserWindow *window;
  KaRatingResult *all;
  GtkDropDown *mode_dropdown;
  GListModel *modes;
  guint kiosk_item = 0, n_tallies;
  g_autofree char *since_text = NULL;

  store_setup (&s, TRUE);
  window = open_window (s.db_path, s.pack_path);

  g_assert_cmpstr (ka_organiser_window_get_page (window), ==, "results");
  all = ka_organiser_window_get_result (window);
  g_assert_cmpint (ka_rating_result_get_n_ballots (all), ==, N_BALLOTS);
  g_assert_cmpuint (ka_rating_result_get_n_models (all), ==, N_MODELS);
  assert_rank_order (window);
  /* Models 3 and 4 never met: a grey cell, not a number. */
  {
    KaWinrateHeatmap *heatmap = ka_organiser_window_get_winrate_heatmap (window);
    guint i, j;
    g_autofree char *text = NULL;

    g_assert_nonnull (ka_rating_result_lookup (all, model_names[2], &i));
    g_assert_nonnull (ka_rating_result_lookup (all, model_names[3], &j));
    text = ka_winrate_heatmap_get_cell_text (heatmap, i, j);
    g_assert_cmpstr (text, ==, "—");
  }

  /* Mode, through the dropdown as an organiser would. */
  mode_dropdown = ka_organiser_window_get_mode_dropdown (window);
  modes = gtk_drop_down_get_model (mode_dropdown);
  g_assert_cmpuint (g_list_model_get_n_items (modes), ==, 3);   /* all, citizen, kiosk */
  for (guint i = 1; i < 3; i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (modes), i), "Venue kiosk"))
      kiosk_item = i;
  g_assert_cmpuint (kiosk_item, !=, 0);
  gtk_drop_down_set_selected (mode_dropdown, kiosk_item);
  wait_until_idle (window);
  {
    g_autofree char *mode = NULL;

    g_object_get (window, "mode", &mode, NULL);
    g_assert_cmpstr (mode, ==, "kiosk");
  }
  g_assert_cmpstr (ka_organiser_window_get_page (window), ==, "results");
  g_assert_cmpint (ka_rating_result_get_n_ballots (ka_organiser_window_get_result (window)), ==,
                   s.n_kiosk);
  g_assert_nonnull (strstr (ka_organiser_window_get_summary_text (window), "(filtered)"));

  /* Mode and category together. */
  g_object_set (window, "category", "writing", NULL);
  wait_until_idle (window);
  g_assert_cmpint (ka_rating_result_get_n_ballots (ka_organiser_window_get_result (window)), ==,
                   s.n_kiosk_writing);

  /* Clear, then one day (both ends inclusive), typed into the entries. */
  gtk_widget_activate_action (GTK_WIDGET (window), "organiser.clear-filters", NULL);
  wait_until_idle (window);
  g_assert_true (ka_organiser_window_get_result (window) == all);
  g_assert_cmpuint (gtk_drop_down_get_selected (mode_dropdown), ==, 0);

  {
    GtkWidget *since = NULL, *until = NULL;
    n_tallies = ka_organiser_window_get_n_tallies (window);

    /* The two date entries of the filter bar. */
    {
      GtkWidget *bar = gtk_widget_get_parent (GTK_WIDGET (mode_dropdown));

      for (GtkWidget *child = gtk_widget_get_first_child (bar); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        if (GTK_IS_ENTRY (child))
          {
            if (since == NULL)
              since = child;
            else
              until = child;
          }
    }
    g_assert_nonnull (since);
    g_assert_nonnull (until);

    /* Half-typed dates do not tally; an invalid one is marked. */
    gtk_editable_set_text (GTK_EDITABLE (since), "2026-12-0");
    wait_until_idle (window);
    g_assert_true (has_css_class (since, "error"));
    g_assert_cmpuint (ka_organiser_window_get_n_tallies (window), ==, n_tallies);
    gtk_editable_set_text (GTK_EDITABLE (since), "2026-02-30");
    wait_until_idle (window);
    g_assert_true (has_css_class (since, "error"));
    g_assert_cmpuint (ka_organiser_window_get_n_tallies (window), ==, n_tallies);

    gtk_editable_set_text (GTK_EDITABLE (since), "2026-12-02");
    gtk_editable_set_text (GTK_EDITABLE (until), "2026-12-02");
    wait_until_idle (window);
    g_assert_false (has_css_class (since, "error"));
    g_object_get (window, "since", &since_text, NULL);
    g_assert_cmpstr (since_text, ==, "2026-12-02");
    g_assert_cmpint (ka_rating_result_get_n_ballots (ka_organiser_window_get_result (window)), ==,
                     s.n_day2);
  }

  /* Back to no filter: the cached result, no new tally. */
  n_tallies = ka_organiser_window_get_n_tallies (window);
  gtk_widget_activate_action (GTK_WIDGET (window), "organiser.clear-filters", NULL);
  wait_until_idle (window);
  g_assert_cmpuint (ka_organiser_window_get_n_tallies (window), ==, n_tallies);
  g_assert_true (ka_organiser_window_get_result (window) == all);

  /* Other bootstrap options are a new tally; their intervals differ, the ratings do not. */
  g_object_set (window, "seed", (guint64) 7, NULL);
  wait_until_idle (window);
  g_assert_cmpuint (ka_organiser_window_get_n_tallies (window), ==, n_tallies + 1);
  {
    KaRatingResult *seeded = ka_organiser_window_get_result (window);
    gboolean any_differs = FALSE;

    g_assert_true (seeded != all);
    g_assert_cmpuint (ka_rating_result_get_seed (seeded), ==, 7);
    for (guint i = 0; i < N_MODELS; i++)
      {
        const KaRatingEntry *a = ka_rating_result_get_entry (all, i);
        const KaRatingEntry *b = ka_rating_result_get_entry (seeded, i);

        g_assert_cmpfloat (a->rating, ==, b->rating);
        any_differs |= a->ci_lower != b->ci_lower || a->ci_upper != b->ci_upper;
      }
    g_assert_true (any_differs);
  }
  g_object_set (window, "seed", (guint64) 0, NULL);
  wait_until_idle (window);
  g_assert_true (ka_organiser_window_get_result (window) == all);

  /* A filter that leaves nothing: the empty state with its Clear Filters button. */
  g_object_set (window, "category", "no-such-category", NULL);
  wait_until_idle (window);
  g_assert_cmpstr (ka_organiser_window_get_page (window), ==, "empty");
  g_assert_null (ka_organiser_window_get_result (window));
  g_assert_null (ka_leaderboard_view_get_result (ka_organiser_window_get_leaderboard_view (window)));

  /* And back: the cached leaderboard again. */
  g_object_set (window, "category", NULL, NULL);
  wait_until_idle (window);
  g_assert_cmpstr (ka_organiser_window_get_page (window), ==, "results");
  g_assert_true (ka_organiser_window_get_result (window) == all);

  close_window (window);
  store_teardown (&s);
}

/* Export writes the five files, and the core audit passes on them. */
static void
test_export (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) packs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) problems = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *jsonl = NULL;
  g_auto(GStrv) lines = NULL;
  static const char * const files[] = {
    KA_EXPORT_BALLOTS_CSV, KA_EXPORT_BALLOTS_JSONL, KA_EXPORT_FASTCHAT,
    KA_EXPORT_TALLY_CSV, KA_EXPORT_MANIFEST,
  };
  KaOrganiserWindow *window;
  ExportRun run;
  Store s;

  store_setup (&s, TRUE);
  window = open_window (s.db_path, s.pack_path);
  g_assert_cmpstr (ka_organiser_window_get_page (window), ==, "results");

  /* A filter does not shrink the export: it holds every ballot, chains intact. */
  g_object_set (window, "mode", "kiosk", "bootstrap-rounds", 200u, NULL);
  wait_until_idle (window);

  dir = g_build_filename (s.tmpdir, "export", NULL);
  run_export (window, dir, &run);
  g_assert_no_error (run.error);
  g_assert_true (run.ok);
  g_assert_cmpuint (run.n_problems, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i], NULL);

      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }

  {
    g_autofree char *path = g_build_filename (dir, KA_EXPORT_BALLOTS_CSV, NULL);

    g_file_get_contents (path, &csv, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (g_str_has_prefix (csv, "\xEF\xBB\xBF"));   /* BOM for Korean Excel */
  }
  {
    g_autofree char *path = g_build_filename (dir, KA_EXPORT_BALLOTS_JSONL, NULL);

    g_file_get_contents (path, &jsonl, NULL, &error);
    g_assert_no_error (error);
    lines = g_strsplit (g_strchomp (jsonl), "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, N_BALLOTS);
  }

  /* The core audit, as `kai-arena-admin audit DIR --pack PACK` runs it. */
  g_ptr_array_add (packs, ka_pack_new_from_file (s.pack_path, &error));
  g_assert_no_error (error);
  problems = ka_export_audit (dir, packs, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (problems->len, ==, 0);
  g_clear_pointer (&problems, g_ptr_array_unref);

  /* …and the audit is not a formality: a removed ballot is caught. */
  {
    g_autofree char *path = g_build_filename (dir, KA_EXPORT_BALLOTS_JSONL, NULL);
    g_autofree char *cut = NULL;

    g_free (lines[5]);
    lines[5] = g_strdup ("");
    cut = g_strjoinv ("\n", lines);
    g_file_set_contents (path, cut, -1, &error);
    g_assert_no_error (error);
    problems = ka_export_audit (dir, packs, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (problems->len, >, 0);
  }

  /* The export directory must be new: an existing, non-empty one is refused. */
  run_export (window, dir, &run);
  g_assert_false (run.ok);
  g_assert_error (run.error, KA_EXPORT_ERROR, KA_EXPORT_ERROR_INVALID);
  g_clear_error (&run.error);

  close_window (window);
  store_teardown (&s);
}

/* No ballots: the empty state, no crash, no export. */
static void
test_empty_store (void)
{
  KaOrganiserWindow *window;
  ExportRun run;
  Store s;
  g_autofree char *dir = NULL;

  store_setup (&s, FALSE);
  window = open_window (s.db_path, s.pack_path);

  g_assert_cmpstr (ka_organiser_window_get_page (window), ==, "empty");
  g_assert_cmpint (ka_organiser_window_get_n_source_ballots (window), ==, 0);
  g_assert_null (ka_organiser_window_get_result (window));
  g_assert_cmpstr (ka_organiser_window_get_warning_text (window), ==, "");

  /* Filters on nothing stay calm. */
  g_object_set (window, "mode", "kiosk", "since", "2026-12-01", NULL);
  wait_until_idle (window);
  g_assert_cmpstr (ka_organiser_window_get_page (window), ==, "empty");

  dir = g_build_filename (s.tmpdir, "export", NULL);
  run_export (window, dir, &run);
  g_assert_false (run.ok);
  g_assert_error (run.error, KA_EXPORT_ERROR, KA_EXPORT_ERROR_INVALID);
  g_clear_error (&run.error);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));

  close_window (window);
  store_teardown (&s);
}

/* Degenerate data is tallied and explained: two groups never compared, a model that never
 * won; the warnings box says so. A file that is not ballots is an error page. */
static void
test_warnings (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpdir = g_dir_make_tmp ("ka-test-organiser-XXXXXX", &error);
  g_autofree char *path = g_build_filename (tmpdir, "battles.jsonl", NULL);
  g_autofree char *bad_path = g_build_filename (tmpdir, "notes.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) bad = g_file_new_for_path (bad_path);
  g_autoptr(GString) text = g_string_new (NULL);
  KaOrganiserWindow *window;
  const char *warnings;

  for (guint i = 0; i < 6; i++)
    g_string_append (text, "{\"model_a\": \"alpha\", \"model_b\": \"beta\", \"winner\": \"model_a\"}\n");
  for (guint i = 0; i < 4; i++)
    g_string_append_printf (text, "{\"model_a\": \"gamma\", \"model_b\": \"delta\", \"winner\": \"%s\"}\n",
                            i % 2 ? "model_a" : "model_b");
  g_file_set_contents (path, text->str, -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (bad_path, "{\"hello\": \"world\"}", -1, &error);
  g_assert_no_error (error);

  window = open_window (NULL, NULL);
  ka_organiser_window_open_file (window, file);
  wait_until_idle (window);

  g_assert_cmpstr (ka_organiser_window_get_page (window), ==, "results");
  g_assert_cmpuint (ka_rating_result_get_n_components (ka_organiser_window_get_result (window)), ==, 2);
  warnings = ka_organiser_window_get_warning_text (window);
  g_assert_nonnull (strstr (warnings, "groups"));
  g_assert_nonnull (strstr (warnings, "beta"));   /* never won */
  assert_rank_order (window);

  ka_organiser_window_open_file (window, bad);
  wait_until_idle (window);
  g_assert_cmpstr (ka_organiser_window_get_page (window), ==, "error");
  g_assert_cmpstr (ka_organiser_window_get_warning_text (window), ==, "");
  g_assert_null (ka_organiser_window_get_result (window));

  close_window (window);
  ka_test_remove_tree (tmpdir);
}

/* The collector: GET /v1/ballots?format=jsonl with the organiser token, on loopback. */
static void
ballots_handler (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  Store *s = user_data;
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Authorization");

  if (g_strcmp0 (auth, "Bearer organiser-secret") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
      return;
    }
  if (query == NULL || g_strcmp0 (g_hash_table_lookup (query, "format"), "jsonl") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/jsonl", SOUP_MEMORY_COPY,
                                    s->jsonl->str, s->jsonl->len);
}

/* GET /v1/seal-maps, organiser token only. */
static void
seal_maps_handler (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  Store *s = user_data;
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Authorization");

  if (g_strcmp0 (auth, "Bearer organiser-secret") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_UNAUTHORIZED, NULL);
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    s->seal_maps->str, s->seal_maps->len);
}

static void
test_collector (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autofree char *base = NULL;
  KaOrganiserWindow *window;
  GSList *uris;
  Store s;

  /* Citizens voted on the collector's sealed copy: only its seal maps name their models. */
  store_setup_full (&s, TRUE, TRUE);
  soup_server_add_handler (server, "/v1/ballots", ballots_handler, &s, NULL);
  soup_server_add_handler (server, "/v1/seal-maps", seal_maps_handler, &s, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  base = g_strdup_printf ("http://127.0.0.1:%d/", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  /* The window's own store is empty: everything shown comes from the collector. */
  window = open_window (NULL, s.pack_path);

  ka_organiser_window_open_collector (window, base, "organiser-secret");
  wait_until_idle (window);
  g_assert_cmpstr (ka_organiser_window_get_page (window), ==, "results");
  g_assert_cmpint (ka_rating_result_get_n_ballots (ka_organiser_window_get_result (window)), ==,
                   N_BALLOTS);

  /* A wrong token is refused and said so. */
  ka_organiser_window_open_collector (window, base, "guess");
  wait_until_idle (window);
  g_assert_cmpstr (ka_organiser_window_get_page (window), ==, "error");
  g_assert_null (ka_organiser_window_get_result (window));

  /* The token never travels in clear to another host: refused before any request. */
  ka_organiser_window_open_collector (window, "http://collector.invalid", "organiser-secret");
  wait_until_idle (window);
  g_assert_cmpstr (ka_organiser_window_get_page (window), ==, "error");

  close_window (window);
  soup_server_disconnect (server);
  store_teardown (&s);
}

/* The application: the main menu's app.organiser opens one organiser window; --organiser
 * opens it instead of the vote. */
typedef struct
{
  gboolean organiser_first;
  gboolean scheduled;
  gboolean checked;
} AppRun;

static gboolean
inspect_cb (gpointer user_data)
{
  GtkApplication *app = GTK_APPLICATION (g_application_get_default ());
  AppRun *run = user_data;
  GtkWindow *active = gtk_application_get_active_window (app);
  KaOrganiserWindow *organiser = NULL;
  guint n_organiser = 0;

  if (run->organiser_first)
    g_assert_true (KA_IS_ORGANISER_WINDOW (active));
  else
    {
      g_assert_true (KA_IS_WINDOW (active));
      g_action_group_activate_action (G_ACTION_GROUP (app), "organiser", NULL);
      g_action_group_activate_action (G_ACTION_GROUP (app), "organiser", NULL);
    }

  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
    if (KA_IS_ORGANISER_WINDOW (l->data))
      {
        organiser = l->data;
        n_organiser++;
      }
  g_assert_cmpuint (n_organiser, ==, 1);

  /* It reads the app's own database through the app's pack. */
  wait_until_idle (organiser);
  if (run->organiser_first)
    g_assert_cmpstr (ka_organiser_window_get_page (organiser), ==, "empty");
  else
    {
      g_autofree char *db = NULL;

      g_object_get (organiser, "database-path", &db, NULL);
      g_assert_nonnull (db);
      g_assert_true (g_str_has_suffix (db, "ballots.sqlite"));
    }

  run->checked = TRUE;
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  return G_SOURCE_REMOVE;
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 AppRun         *run)
{
  if (!run->scheduled)
    {
      run->scheduled = TRUE;
      g_idle_add (inspect_cb, run);
    }
}

static void
test_application (void)
{
  g_autoptr(GError) error = NULL;
  Store s;
  AppRun runs[2] = { { FALSE, FALSE, FALSE }, { TRUE, FALSE, FALSE } };

  store_setup (&s, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      g_autoptr(KaApplication) app = ka_application_new ();
      const char *argv[] = { "kai-arena", "--pack", s.pack_path, "--database", s.db_path,
                             runs[i].organiser_first ? "--organiser" : NULL, NULL };
      int status;

      status = ka_gui_test_run_application (app, argv, G_CALLBACK (window_added_cb), &runs[i]);
      g_assert_cmpint (status, ==, 0);
      g_assert_true (runs[i].checked);
    }
  store_teardown (&s);
}

/* ------------------------------------------------------------------------------------ */
/* KaCollectorClient and the organiser's data layer (issue 11) against a loopback server
 * whose answers the test chooses. */

typedef struct
{
  guint       status;
  const char *content_type;   /* (nullable) */
  const char *body;
  char       *last_user_agent;
  char       *last_auth;
  char       *last_path;
  guint       n_requests;
} Scripted;

static void
scripted_handler (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  Scripted *s = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  GUri *uri = soup_server_message_get_uri (msg);

  s->n_requests++;
  g_free (s->last_user_agent);
  s->last_user_agent = g_strdup (soup_message_headers_get_one (headers, "User-Agent"));
  g_free (s->last_auth);
  s->last_auth = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  g_free (s->last_path);
  s->last_path = g_strdup_printf ("%s%s%s", g_uri_get_path (uri),
                                  g_uri_get_query (uri) != NULL ? "?" : "",
                                  g_uri_get_query (uri) != NULL ? g_uri_get_query (uri) : "");
  soup_server_message_set_status (msg, s->status, NULL);
  if (s->content_type != NULL)
    soup_server_message_set_response (msg, s->content_type, SOUP_MEMORY_COPY, s->body,
                                      strlen (s->body));
}

static void
async_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_for_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static GBytes *
client_ballots (KaCollectorClient  *client,
                GError            **error)
{
  GAsyncResult *result = NULL;
  GBytes *bytes;

  ka_collector_client_get_ballots_async (client, "jsonl", NULL, async_result_cb, &result);
  bytes = ka_collector_client_get_ballots_finish (client, wait_for_result (&result), error);
  g_object_unref (result);
  return bytes;
}

static JsonNode *
client_tallies (KaCollectorClient  *client,
                GError            **error)
{
  GAsyncResult *result = NULL;
  JsonNode *node;

  ka_collector_client_get_tallies_async (client, "kiosk", NULL, async_result_cb, &result);
  node = ka_collector_client_get_tallies_finish (client, wait_for_result (&result), error);
  g_object_unref (result);
  return node;
}

static void
test_collector_client (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(KaCollectorClient) client = NULL;
  g_autofree char *base = NULL;
  Scripted s = { 0, };
  GSList *uris;

  soup_server_add_handler (server, "/v1", scripted_handler, &s, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  base = g_strdup_printf ("  http://127.0.0.1:%d//  ", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  /* The token never travels in clear to another host: refused before any request. */
  g_assert_null (ka_collector_client_new ("http://collector.invalid", "t", &error));
  g_assert_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_INSECURE_URL);
  g_clear_error (&error);
  g_assert_null (ka_collector_client_new ("collector", "t", &error));
  g_assert_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_INVALID_URL);
  g_clear_error (&error);

  client = ka_collector_client_new (base, "organiser-secret", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (ka_collector_client_get_server_url (client), "/") == FALSE);

  /* 200 of JSON Lines: the body, with the token and the product user agent. */
  s.status = 200;
  s.content_type = "application/jsonl";
  s.body = "{\"ballot_id\": 1}\n";
  {
    g_autoptr(GBytes) bytes = client_ballots (client, &error);

    g_assert_no_error (error);
    g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), s.body, strlen (s.body));
    g_assert_cmpstr (s.last_path, ==, "/v1/ballots?format=jsonl");
    g_assert_cmpstr (s.last_auth, ==, "Bearer organiser-secret");
    g_assert_true (g_str_has_prefix (s.last_user_agent, "kai-arena/" PACKAGE_VERSION));
  }

  /* 401: the token was refused, with the status and the collector's code. */
  s.status = 401;
  s.content_type = "application/json";
  s.body = "{\"error\": {\"code\": \"unauthorized\", \"message\": \"bad token\"}}";
  g_assert_null (client_ballots (client, &error));
  g_assert_error (error, KA_COLLECTOR_CLIENT_ERROR, KA_COLLECTOR_CLIENT_ERROR_UNAUTHORIZED);
  g_assert_nonnull (strstr (error->message, "401"));
  g_assert_nonnull (strstr (error->message, "unauthorized: bad token"));
  g_clear_error (&error);

  /* Any other status, 2xx included, is not a success. */
  s.status = 503;
  s.body = "{\"error\": {\"code\": \"busy\", \"message\": \"later\"}}";
  g_assert_null (client_ballots (client, &error));
  g_assert_error (error, KA_COLLECTOR_CLIENT_ERROR, KA_COLLECTOR_CLIENT_ERROR_HTTP);
  g_assert_nonnull (strstr (error->message, "503"));
  g_assert_nonnull (strstr (error->message, "busy: later"));
  g_clear_error (&error);
  s.status = 202;
  s.content_type = "application/jsonl";
  s.body = "";
  g_assert_null (client_ballots (client, &error));
  g_assert_error (error, KA_COLLECTOR_CLIENT_ERROR, KA_COLLECTOR_CLIENT_ERROR_HTTP);
  g_clear_error (&error);

  /* A captive portal's 200 HTML page is not a list of ballots. */
  s.status = 200;
  s.content_type = "text/html";
  s.body = "<html>Sign in to the venue Wi-Fi</html>";
  g_assert_null (client_ballots (client, &error));
  g_assert_error (error, KA_COLLECTOR_CLIENT_ERROR, KA_COLLECTOR_CLIENT_ERROR_CONTENT_TYPE);
  g_assert_nonnull (strstr (error->message, "text/html"));
  g_clear_error (&error);

  /* Tallies: JSON with a "tallies" member, else a parse error. */
  s.content_type = "application/json";
  s.body = "{\"ballots\": 3, \"tallies\": []}";
  {
    g_autoptr(JsonNode) node = client_tallies (client, &error);

    g_assert_no_error (error);
    g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "ballots"), ==, 3);
    g_assert_cmpstr (s.last_path, ==, "/v1/tallies?mode=kiosk");
  }
  s.body = "{\"ballots\": 3";
  g_assert_null (client_tallies (client, &error));
  g_assert_error (error, KA_COLLECTOR_CLIENT_ERROR, KA_COLLECTOR_CLIENT_ERROR_PARSE);
  g_clear_error (&error);
  s.body = "[1, 2]";
  g_assert_null (client_tallies (client, &error));
  g_assert_error (error, KA_COLLECTOR_CLIENT_ERROR, KA_COLLECTOR_CLIENT_ERROR_PARSE);
  g_clear_error (&error);
  s.content_type = "text/html";
  s.body = "<html></html>";
  g_assert_null (client_tallies (client, &error));
  g_assert_error (error, KA_COLLECTOR_CLIENT_ERROR, KA_COLLECTOR_CLIENT_ERROR_CONTENT_TYPE);
  g_clear_error (&error);

  g_assert_cmpuint (s.n_requests, ==, 9);
  g_assert_finalize_object (g_steal_pointer (&client));
  soup_server_disconnect (server);
  g_free (s.last_user_agent);
  g_free (s.last_auth);
  g_free (s.last_path);
}

/* The window's data layer reads collectors through the client: a captive portal's page is
 * an error page that says so, a good answer is counted. */
static void
test_collector_source (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autofree char *base = NULL;
  g_autofree char *jsonl = NULL;
  KaOrganiserWindow *window;
  GSList *uris;
  Scripted sc = { 0, };
  Store st;

  store_setup (&st, TRUE);
  jsonl = g_strndup (st.jsonl->str, st.jsonl->len);
  soup_server_add_handler (server, "/v1", scripted_handler, &sc, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  window = open_window (NULL, st.pack_path);

  sc.status = 200;
  sc.content_type = "text/html";
  sc.body = "<html>Sign in</html>";
  ka_organiser_window_open_collector (window, base, "organiser-secret");
  wait_until_idle (window);
  g_assert_cmpstr (ka_organiser_window_get_page (window), ==, "error");
  g_assert_null (ka_organiser_window_get_result (window));
  if (g_getenv ("KA_ORGANISER_SCREENSHOT_PORTAL") != NULL)
    {
      /* Past the stack's transition, so that the picture shows the error page. */
      gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC;

      while (g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, FALSE);
      gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
      maybe_save_screenshot (GTK_WIDGET (window), "KA_ORGANISER_SCREENSHOT_PORTAL");
    }

  sc.content_type = "application/jsonl";
  sc.body = jsonl;
  ka_organiser_window_reload (window);
  wait_until_idle (window);
  g_assert_cmpstr (ka_organiser_window_get_page (window), ==, "results");
  g_assert_cmpint (ka_rating_result_get_n_ballots (ka_organiser_window_get_result (window)), ==,
                   N_BALLOTS);
  g_assert_cmpstr (sc.last_auth, ==, "Bearer organiser-secret");

  close_window (window);
  soup_server_disconnect (server);
  store_teardown (&st);
  g_free (sc.last_user_agent);
  g_free (sc.last_auth);
  g_free (sc.last_path);
}

int
main (int   argc,
      char *argv[])
{
  /* As the app: its style sheet and translations, for the screenshots. */
  ka_gui_test_init (&argc, &argv, TRUE);

  g_test_add_func ("/ka/organiser/human-json", test_human_json);
  g_test_add_func ("/ka/organiser/filters", test_filters);
  g_test_add_func ("/ka/organiser/export", test_export);
  g_test_add_func ("/ka/organiser/empty-store", test_empty_store);
  g_test_add_func ("/ka/organiser/warnings", test_warnings);
  g_test_add_func ("/ka/organiser/collector", test_collector);
  g_test_add_func ("/ka/organiser/application", test_application);
  g_test_add_func ("/ka/organiser/screenshot", test_screenshot);
  g_test_add_func ("/ka/organiser/collector-client", test_collector_client);
  g_test_add_func ("/ka/organiser/collector-source", test_collector_source);

  return g_test_run ();
}
