/* ka-leaderboard-view.c
 *
 * Copyright 2026 The K-AI Arena authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ka-leaderboard-view"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ka-leaderboard-view.h"

/* ------------------------------------------------------------------------------------ */
/* Formatting */

/**
 * ka_format_count:
 * @value: a count
 *
 * Returns: (transfer full): @value with the locale's digit grouping ("26,919")
 */
char *
ka_format_count (gint64 value)
{
  /* The ' flag groups digits by LC_NUMERIC (glibc, POSIX). */
  return g_strdup_printf ("%'" G_GINT64_FORMAT, value);
}

/**
 * ka_format_rating:
 * @value: a rating on the Elo scale
 *
 * Returns: (transfer full): @value with one decimal and the locale's separators, or an
 *   em dash for NAN
 */
char *
ka_format_rating (double value)
{
  if (isnan (value))
    return g_strdup ("—");

  return g_strdup_printf ("%'.1f", value);
}

/**
 * ka_format_percent:
 * @share: a share between 0 and 1
 *
 * Returns: (transfer full): "63.2 %" (one decimal, the locale's separators), or an em
 *   dash for NAN
 */
char *
ka_format_percent (double share)
{
  g_autofree char *number = NULL;

  if (isnan (share))
    return g_strdup ("—");

  number = g_strdup_printf ("%'.1f", 100.0 * share);
  /* Translators: a percentage; %s is the number, already formatted ("63.2"). */
  return g_strdup_printf (_("%s %%"), number);
}

/* ------------------------------------------------------------------------------------ */
/* KaLeaderboardRow */

struct _KaLeaderboardRow
{
  GObject   parent_instance;

  char     *model;
  guint     rank;
  guint     component;
  double    rating;
  double    ci_lower;
  double    ci_upper;
  gint64    battles;
  gint64    wins;
  gint64    losses;
  gint64    ties;
  gint64    both_bad;
  double    win_rate;
  double    online_elo;
  gboolean  regularised;
};

G_DEFINE_FINAL_TYPE (KaLeaderboardRow, ka_leaderboard_row, G_TYPE_OBJECT)

enum {
  ROW_PROP_0,
  ROW_PROP_RANK,
  ROW_PROP_MODEL,
  ROW_PROP_RATING,
  ROW_PROP_CI_LOWER,
  ROW_PROP_CI_UPPER,
  ROW_PROP_BATTLES,
  ROW_PROP_WIN_RATE,
  ROW_N_PROPS
};

static GParamSpec *row_properties[ROW_N_PROPS];

static void
ka_leaderboard_row_finalize (GObject *object)
{
  KaLeaderboardRow *self = KA_LEADERBOARD_ROW (object);

  g_clear_pointer (&self->model, g_free);

  G_OBJECT_CLASS (ka_leaderboard_row_parent_class)->finalize (object);
}

static void
ka_leaderboard_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  KaLeaderboardRow *self = KA_LEADERBOARD_ROW (object);

  switch (prop_id)
    {
    case ROW_PROP_RANK:
      g_value_set_uint (value, self->rank);
      break;

    case ROW_PROP_MODEL:
      g_value_set_string (value, self->model);
      break;

    case ROW_PROP_RATING:
      g_value_set_double (value, self->rating);
      break;

    case ROW_PROP_CI_LOWER:
      g_value_set_double (value, self->ci_lower);
      break;

    case ROW_PROP_CI_UPPER:
      g_value_set_double (value, self->ci_upper);
      break;

    case ROW_PROP_BATTLES:
      g_value_set_int64 (value, self->battles);
      break;

    case ROW_PROP_WIN_RATE:
      /* Sorting puts a model without a decisive ballot below every other. */
      g_value_set_double (value, isnan (self->win_rate) ? -1.0 : self->win_rate);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ka_leaderboard_row_class_init (KaLeaderboardRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ka_leaderboard_row_finalize;
  object_class->get_property = ka_leaderboard_row_get_property;

  row_properties[ROW_PROP_RANK] =
    g_param_spec_uint ("rank", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  row_properties[ROW_PROP_MODEL] =
    g_param_spec_string ("model", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  row_properties[ROW_PROP_RATING] =
    g_param_spec_double ("rating", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  row_properties[ROW_PROP_CI_LOWER] =
    g_param_spec_double ("ci-lower", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  row_properties[ROW_PROP_CI_UPPER] =
    g_param_spec_double ("ci-upper", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  row_properties[ROW_PROP_BATTLES] =
    g_param_spec_int64 ("battles", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* Wins / (wins + losses); -1 when the model has no decisive ballot. */
  row_properties[ROW_PROP_WIN_RATE] =
    g_param_spec_double ("win-rate", NULL, NULL, -1.0, 1.0, -1.0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, ROW_N_PROPS, row_properties);
}

static void
ka_leaderboard_row_init (KaLeaderboardRow *self)
{
}

KaLeaderboardRow *
ka_leaderboard_row_new (const KaRatingEntry *entry)
{
  KaLeaderboardRow *self;

  g_return_val_if_fail (entry != NULL, NULL);

  self = g_object_new (KA_TYPE_LEADERBOARD_ROW, NULL);
  self->model = g_strdup (entry->model);
  self->rank = entry->rank;
  self->component = entry->component;
  self->rating = entry->rating;
  self->ci_lower = entry->ci_lower;
  self->ci_upper = entry->ci_upper;
  self->battles = entry->battles;
  self->wins = entry->wins;
  self->losses = entry->losses;
  self->ties = entry->ties;
  self->both_bad = entry->both_bad;
  self->win_rate = entry->win_rate;
  self->online_elo = entry->online_elo;
  self->regularised = entry->regularised;

  return self;
}

guint
ka_leaderboard_row_get_rank (KaLeaderboardRow *self)
{
  g_return_val_if_fail (KA_IS_LEADERBOARD_ROW (self), 0);
  return self->rank;
}

/* Returns: the model's group of the comparison graph (0 = the largest) */
guint
ka_leaderboard_row_get_component (KaLeaderboardRow *self)
{
  g_return_val_if_fail (KA_IS_LEADERBOARD_ROW (self), 0);
  return self->component;
}

const char *
ka_leaderboard_row_get_model (KaLeaderboardRow *self)
{
  g_return_val_if_fail (KA_IS_LEADERBOARD_ROW (self), NULL);
  return self->model;
}

double
ka_leaderboard_row_get_rating (KaLeaderboardRow *self)
{
  g_return_val_if_fail (KA_IS_LEADERBOARD_ROW (self), NAN);
  return self->rating;
}

double
ka_leaderboard_row_get_ci_lower (KaLeaderboardRow *self)
{
  g_return_val_if_fail (KA_IS_LEADERBOARD_ROW (self), NAN);
  return self->ci_lower;
}

double
ka_leaderboard_row_get_ci_upper (KaLeaderboardRow *self)
{
  g_return_val_if_fail (KA_IS_LEADERBOARD_ROW (self), NAN);
  return self->ci_upper;
}

gint64
ka_leaderboard_row_get_battles (KaLeaderboardRow *self)
{
  g_return_val_if_fail (KA_IS_LEADERBOARD_ROW (self), 0);
  return self->battles;
}

/* Returns: the win rate, NAN without a decisive ballot. */
double
ka_leaderboard_row_get_win_rate (KaLeaderboardRow *self)
{
  g_return_val_if_fail (KA_IS_LEADERBOARD_ROW (self), NAN);
  return self->win_rate;
}

/* ------------------------------------------------------------------------------------ */
/* KaLeaderboardView */

typedef enum
{
  COLUMN_RANK,
  COLUMN_MODEL,
  COLUMN_RATING,
  COLUMN_INTERVAL,
  COLUMN_BATTLES,
  COLUMN_WIN_RATE,
} Column;

struct _KaLeaderboardView
{
  AdwBin                parent_instance;

  /* template widgets */
  GtkColumnView        *column_view;
  GtkColumnViewColumn  *rank_column;
  GtkColumnViewColumn  *model_column;
  GtkColumnViewColumn  *rating_column;
  GtkColumnViewColumn  *interval_column;
  GtkColumnViewColumn  *battles_column;
  GtkColumnViewColumn  *win_rate_column;

  /* owned */
  GListStore           *rows;      /* KaLeaderboardRow, in the result's (rank) order */
  GtkSortListModel     *sorted;    /* what the table shows */
  KaRatingResult       *result;    /* (nullable) */
};

G_DEFINE_FINAL_TYPE (KaLeaderboardView, ka_leaderboard_view, ADW_TYPE_BIN)

static char *
row_details (KaLeaderboardRow *row)
{
  g_autofree char *wins = ka_format_count (row->wins);
  g_autofree char *losses = ka_format_count (row->losses);
  g_autofree char *ties = ka_format_count (row->ties);
  g_autofree char *both_bad = ka_format_count (row->both_bad);
  g_autofree char *elo = ka_format_rating (row->online_elo);
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, _("%s: %s wins, %s losses, %s ties, %s both bad"),
                          row->model, wins, losses, ties, both_bad);
  if (!isnan (row->online_elo))
    {
      g_string_append_c (s, '\n');
      g_string_append_printf (s, _("Online Elo (an indicator only): %s"), elo);
    }
  if (row->component > 0)
    {
      g_string_append_c (s, '\n');
      g_string_append_printf (s, _("Group %u: never compared with the models of group 1, so "
                                   "its ratings are comparable only within the group"),
                              row->component + 1);
    }
  if (row->regularised)
    {
      g_string_append_c (s, '\n');
      g_string_append (s, _("* The rating is shrunk by a small prior (one virtual tie per "
                            "compared pair), because the maximum-likelihood rating of its "
                            "group is infinite"));
    }

  return g_string_free (s, FALSE);
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  if (column == COLUMN_MODEL)
    {
      gtk_label_set_xalign (GTK_LABEL (label), 0.0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_width_chars (GTK_LABEL (label), 16);
    }
  else
    {
      gtk_label_set_xalign (GTK_LABEL (label), 1.0);
      gtk_widget_add_css_class (label, "numeric");
    }
  if (column == COLUMN_RANK)
    {
      gtk_label_set_xalign (GTK_LABEL (label), 0.5);
      gtk_widget_add_css_class (label, "ka-rank");
    }

  gtk_list_item_set_child (item, label);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  KaLeaderboardRow *row = gtk_list_item_get_item (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  g_autofree char *text = NULL;
  g_autofree char *tooltip = NULL;

  switch (column)
    {
    case COLUMN_RANK:
      text = g_strdup_printf ("%u", row->rank);
      break;

    case COLUMN_MODEL:
      if (row->regularised && row->component > 0)
        /* Translators: a model name, then its group number; the * marks a shrunk rating. */
        text = g_strdup_printf (_("%s * (group %u)"), row->model, row->component + 1);
      else if (row->component > 0)
        text = g_strdup_printf (_("%s (group %u)"), row->model, row->component + 1);
      else if (row->regularised)
        text = g_strdup_printf ("%s *", row->model);
      else
        text = g_strdup (row->model);
      tooltip = row_details (row);
      break;

    case COLUMN_RATING:
      text = ka_format_rating (row->rating);
      break;

    case COLUMN_INTERVAL:
      {
        g_autofree char *lo = ka_format_rating (row->ci_lower);
        g_autofree char *hi = ka_format_rating (row->ci_upper);

        /* Translators: a 95 % interval, lower bound – upper bound. */
        text = g_strdup_printf (_("%s – %s"), lo, hi);
      }
      break;

    case COLUMN_BATTLES:
      text = ka_format_count (row->battles);
      break;

    case COLUMN_WIN_RATE:
      text = ka_format_percent (row->win_rate);
      break;

    default:
      g_assert_not_reached ();
    }

  gtk_label_set_text (label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), tooltip);
}

static void
set_factory (GtkColumnViewColumn *column,
             Column               which)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), GINT_TO_POINTER (which));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), GINT_TO_POINTER (which));
  gtk_column_view_column_set_factory (column, factory);
}

static void
set_numeric_sorter (GtkColumnViewColumn *column,
                    const char          *property,
                    GtkSortType          order)
{
  g_autoptr(GtkNumericSorter) sorter = NULL;

  sorter = gtk_numeric_sorter_new (gtk_property_expression_new (KA_TYPE_LEADERBOARD_ROW,
                                                                NULL, property));
  gtk_numeric_sorter_set_sort_order (sorter, order);
  gtk_column_view_column_set_sorter (column, GTK_SORTER (sorter));
}

static void
ka_leaderboard_view_dispose (GObject *object)
{
  KaLeaderboardView *self = KA_LEADERBOARD_VIEW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), KA_TYPE_LEADERBOARD_VIEW);
  g_clear_object (&self->sorted);
  g_clear_object (&self->rows);
  g_clear_pointer (&self->result, ka_rating_result_unref);

  G_OBJECT_CLASS (ka_leaderboard_view_parent_class)->dispose (object);
}

static void
ka_leaderboard_view_class_init (KaLeaderboardViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ka_leaderboard_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/kaiarena/Arena/ui/ka-leaderboard-view.ui");
  gtk_widget_class_bind_template_child (widget_class, KaLeaderboardView, column_view);
  gtk_widget_class_bind_template_child (widget_class, KaLeaderboardView, rank_column);
  gtk_widget_class_bind_template_child (widget_class, KaLeaderboardView, model_column);
  gtk_widget_class_bind_template_child (widget_class, KaLeaderboardView, rating_column);
  gtk_widget_class_bind_template_child (widget_class, KaLeaderboardView, interval_column);
  gtk_widget_class_bind_template_child (widget_class, KaLeaderboardView, battles_column);
  gtk_widget_class_bind_template_child (widget_class, KaLeaderboardView, win_rate_column);

  gtk_widget_class_set_css_name (widget_class, "leaderboardview");
}

static void
ka_leaderboard_view_init (KaLeaderboardView *self)
{
  g_autoptr(GtkStringSorter) model_sorter = NULL;
  GtkNoSelection *selection;

  gtk_widget_init_template (GTK_WIDGET (self));

  set_factory (self->rank_column, COLUMN_RANK);
  set_factory (self->model_column, COLUMN_MODEL);
  set_factory (self->rating_column, COLUMN_RATING);
  set_factory (self->interval_column, COLUMN_INTERVAL);
  set_factory (self->battles_column, COLUMN_BATTLES);
  set_factory (self->win_rate_column, COLUMN_WIN_RATE);

  /* A first click sorts the way an organiser reads the column: best first. */
  set_numeric_sorter (self->rank_column, "rank", GTK_SORT_ASCENDING);
  set_numeric_sorter (self->rating_column, "rating", GTK_SORT_DESCENDING);
  set_numeric_sorter (self->interval_column, "ci-lower", GTK_SORT_DESCENDING);
  set_numeric_sorter (self->battles_column, "battles", GTK_SORT_DESCENDING);
  set_numeric_sorter (self->win_rate_column, "win-rate", GTK_SORT_DESCENDING);
  model_sorter = gtk_string_sorter_new (gtk_property_expression_new (KA_TYPE_LEADERBOARD_ROW,
                                                                     NULL, "model"));
  gtk_column_view_column_set_sorter (self->model_column, GTK_SORTER (model_sorter));

  self->rows = g_list_store_new (KA_TYPE_LEADERBOARD_ROW);
  self->sorted = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->rows)),
                                          g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->sorted)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
}

GtkWidget *
ka_leaderboard_view_new (void)
{
  return g_object_new (KA_TYPE_LEADERBOARD_VIEW, NULL);
}

/**
 * ka_leaderboard_view_set_result:
 * @result: (nullable): the leaderboard to show; %NULL empties the table
 */
void
ka_leaderboard_view_set_result (KaLeaderboardView *self,
                                KaRatingResult    *result)
{
  g_autoptr(GPtrArray) rows = NULL;
  guint n;

  g_return_if_fail (KA_IS_LEADERBOARD_VIEW (self));

  if (result == self->result)
    return;

  if (result != NULL)
    ka_rating_result_ref (result);
  g_clear_pointer (&self->result, ka_rating_result_unref);
  self->result = result;

  n = result != NULL ? ka_rating_result_get_n_models (result) : 0;
  rows = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (rows, ka_leaderboard_row_new (ka_rating_result_get_entry (result, i)));

  g_list_store_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)),
                       rows->pdata, rows->len);
}

/* Returns: (transfer none) (nullable): the result shown */
KaRatingResult *
ka_leaderboard_view_get_result (KaLeaderboardView *self)
{
  g_return_val_if_fail (KA_IS_LEADERBOARD_VIEW (self), NULL);

  return self->result;
}

/* Returns: (transfer none): the rows (KaLeaderboardRow) in the result's rank order */
GListModel *
ka_leaderboard_view_get_rows (KaLeaderboardView *self)
{
  g_return_val_if_fail (KA_IS_LEADERBOARD_VIEW (self), NULL);

  return G_LIST_MODEL (self->rows);
}

/* Returns: (transfer none): the rows in the order the table shows them (after sorting) */
GListModel *
ka_leaderboard_view_get_shown (KaLeaderboardView *self)
{
  g_return_val_if_fail (KA_IS_LEADERBOARD_VIEW (self), NULL);

  return G_LIST_MODEL (self->sorted);
}

/* Returns: (transfer none): the table */
GtkColumnView *
ka_leaderboard_view_get_column_view (KaLeaderboardView *self)
{
  g_return_val_if_fail (KA_IS_LEADERBOARD_VIEW (self), NULL);

  return self->column_view;
}
