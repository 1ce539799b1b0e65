"""The global LightGBM model: features at an origin use nothing from that origin on
(own demand or the neighbours'), the model answers every series with ordered
quantiles, refuses a longer horizon than trained, and survives a pickle round trip;
weekly data takes the same path with weekly features and weekly periods."""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pandas as pd
import pytest

from supplynet.forecasting import metrics
from supplynet.forecasting.cleaning import clean_demand
from supplynet.forecasting.global_features import (
    DAILY,
    WEEKLY,
    DemandPanel,
    demand_panel,
    feature_rows,
)
from supplynet.forecasting.global_model import (
    MIN_TRAIN_ORIGINS,
    GlobalForecaster,
    _mean_factor,
    _weights,
)
from supplynet.graph.errors import ValidationFailed
from supplynet.graph.series_relations import RELATIONS
from supplynet.graph.synthetic import SyntheticDataset

HORIZON = 7
WEEKS = 8


@pytest.fixture(scope="module")
def cleaned(tiny: SyntheticDataset) -> pd.DataFrame:
    return clean_demand(tiny.demand[tiny.demand["date"] < "2025-03-01"]).frame


@pytest.fixture(scope="module")
def model(tiny: SyntheticDataset, cleaned: pd.DataFrame) -> GlobalForecaster:
    small = GlobalForecaster(HORIZON, "DE", tiny.network, rounds=30, max_rows=20_000)
    return small.fit(cleaned)


@pytest.fixture(scope="module")
def weekly(tiny: SyntheticDataset) -> pd.DataFrame:
    """``tiny``'s two years summed into weeks starting on Monday: 105 weeks, 48 series."""
    demand = tiny.demand
    week = demand["date"] - pd.to_timedelta(demand["date"].dt.dayofweek, unit="D")
    grouped = demand.assign(date=week).groupby(["store_id", "sku_id", "date"], as_index=False)
    summed = grouped.agg(
        quantity=("quantity", "sum"), price=("price", "mean"), promo=("promo", "max")
    )
    return clean_demand(summed, "W").frame


def _assert_features_never_see_the_origin(
    tiny: SyntheticDataset, cleaned: pd.DataFrame, horizon: int, back: int
) -> None:
    """Scrambling every demand value from the origin on (every series, so the graph
    features' neighbours too, and the item shapes' fits) leaves the origin's features
    unchanged; one period earlier changes them."""
    model = GlobalForecaster(horizon, "DE", tiny.network)
    panel = demand_panel(cleaned, None, horizon)
    neighbours = model._neighbours(panel, RELATIONS)
    assert all(len(source) for source, _ in neighbours.values())
    origin = panel.length - back
    holidays = model._holidays(panel)
    rows = feature_rows(panel, np.array([origin]), horizon, holidays, neighbours)
    shapes = [
        panel.cadence.features(RELATIONS).index(f"{r}shape_{panel.cadence.year}")
        for r in ("", "substitute_")
    ]
    assert np.isfinite(rows.x[:, shapes]).all()
    rng = np.random.default_rng(0)
    for first_changed, same in ((origin, True), (origin - 1, False)):
        scrambled = panel.quantity.copy()
        scrambled[:, first_changed:] = rng.poisson(50, scrambled[:, first_changed:].shape)
        other = dataclasses.replace(panel, quantity=scrambled)
        again = feature_rows(other, np.array([origin]), horizon, holidays, neighbours)
        assert np.array_equal(rows.x, again.x, equal_nan=True) is same


def test_features_never_see_the_origin_or_later(
    tiny: SyntheticDataset, cleaned: pd.DataFrame
) -> None:
    _assert_features_never_see_the_origin(tiny, cleaned, HORIZON, 60)


def test_weekly_features_never_see_the_origin_or_later(
    tiny: SyntheticDataset, weekly: pd.DataFrame
) -> None:
    """The same on weekly data, at an origin with a year of history behind it."""
    _assert_features_never_see_the_origin(tiny, weekly, WEEKS, 20)


def test_daily_features_are_the_daily_models_and_weekly_ones_drop_the_weekday() -> None:
    """Daily rows keep their columns (the weekly path must not move a daily number;
    checked value by value on ``tiny`` when it was added); weekly rows have no
    same-weekday or day-level columns and a 52-week year."""
    daily = DAILY.features(("substitute",))
    assert daily == (
        "log_scale",
        *(f"lag_{k}" for k in range(1, 8)),
        *("mean_7", "mean_56", "mean_112", "std_28", "zero_28"),
        *("weekday_4", "weekday_8", "weekday_last", "weekday_zero", "year_ago"),
        *("step", "weekday", "day_of_month", "day_of_year", "month", "holiday"),
        *("days_to_holiday", "days_since_holiday", "promo", "log_price_ratio"),
        *("promo_share", "price_response", "promo_response", "plan_effect"),
        "own_plan_effect",
        *("item_share_112", "item_share_364", "item_weekday_4", "item_momentum"),
        "item_year_ago",
        *("shape_28", "shape_112", "shape_364"),
        *("substitute_weekday_4", "substitute_momentum", "substitute_promo"),
        *("substitute_shape_28", "substitute_shape_112", "substitute_shape_364"),
    )
    weekly = set(WEEKLY.features(("substitute",)))
    assert not weekly & {"weekday", "day_of_month", "weekday_4", "weekday_zero"}
    assert {"week_of_year", "year_ago", "substitute_year_ago", "holiday", "shape_52"} <= weekly
    assert WEEKLY.year == 52 and WEEKLY.days == 7


def test_weekly_history_is_forecast_by_week_with_holiday_weeks(
    tiny: SyntheticDataset, weekly: pd.DataFrame
) -> None:
    """A weekly frame gives a weekly panel whose Christmas week counts its two German
    holidays, and the combined model forecasts the weeks after the history (weekly
    ``freq``), refusing a daily history and a longer horizon with the unit named."""
    panel: DemandPanel = demand_panel(weekly, None, WEEKS)
    assert panel.cadence == WEEKLY and panel.length == weekly["date"].nunique()
    christmas_week = (pd.Timestamp("2024-12-23") - panel.start).days // 7
    holidays = GlobalForecaster(WEEKS, "DE")._holidays(panel)
    rows = feature_rows(panel, np.array([christmas_week]), 1, holidays, {})
    column = WEEKLY.features(()).index("holiday")
    assert (rows.x[:, column] == 2).all()  # 25 and 26 December
    both = GlobalForecaster(WEEKS, "DE", tiny.network, "both", rounds=30, max_rows=20_000)
    result = both.fit(weekly).forecast(weekly)
    frame = result.frame
    assert result.freq == "W" and set(frame["model"]) == {"lightgbm_combined"}
    periods = pd.DatetimeIndex(sorted(frame["period"].unique()))
    last = weekly["date"].max()
    assert list(periods) == list(
        pd.date_range(last + pd.Timedelta(days=7), periods=WEEKS, freq="7D")
    )
    assert len(frame) == weekly.groupby(["store_id", "sku_id"]).ngroups * WEEKS
    assert (frame["p10"] <= frame["p50"]).all() and (frame["p50"] <= frame["p90"]).all()
    recent = weekly[weekly["date"] > last - pd.Timedelta(weeks=8)]["quantity"].sum() / 8
    assert 0.5 < frame.groupby("period")["mean"].sum().mean() / recent < 2.0
    with pytest.raises(ValidationFailed, match="trained for 8 weeks; got 9"):
        both.forecast(weekly, horizon=9)
    daily = clean_demand(tiny.demand[tiny.demand["date"] < "2025-03-01"]).frame
    with pytest.raises(ValidationFailed, match="trained on weekly data; got daily"):
        both.forecast(daily)


def test_holidays_of_the_country_reach_the_features(
    tiny: SyntheticDataset, cleaned: pd.DataFrame
) -> None:
    """Christmas is a holiday feature with the German calendar and not without one."""
    panel = demand_panel(cleaned, None, HORIZON)
    christmas = (pd.Timestamp("2024-12-25") - panel.start).days
    holiday = GlobalForecaster(HORIZON, "DE")._holidays(panel)
    column = 13 + 5 + 5  # history features, then the calendar's holiday flag
    with_calendar = feature_rows(panel, np.array([christmas]), 1, holiday, {})
    without = feature_rows(panel, np.array([christmas]), 1, frozenset(), {})
    assert (with_calendar.x[:, column] == 1).all()
    assert (without.x[:, column] == 0).all()


def test_forecast_covers_every_series_with_ordered_quantiles(
    model: GlobalForecaster, cleaned: pd.DataFrame
) -> None:
    frame = model.forecast(cleaned).frame
    series = cleaned.groupby(["store_id", "sku_id"]).ngroups
    assert len(frame) == series * HORIZON
    assert set(frame["model"]) == {"lightgbm_global"}
    assert frame["period"].min() == cleaned["date"].max() + pd.Timedelta(days=1)
    assert (frame["p10"] <= frame["p50"]).all() and (frame["p50"] <= frame["p90"]).all()
    assert frame["mean"].sum() > 0


def test_longer_horizon_than_trained_is_an_error(
    model: GlobalForecaster, cleaned: pd.DataFrame
) -> None:
    with pytest.raises(ValidationFailed, match="trained for 7 days; got 8"):
        model.forecast(cleaned, horizon=8)
    assert len(model.forecast(cleaned, horizon=3).periods) == 3


def test_pickle_round_trip_gives_identical_forecasts(
    model: GlobalForecaster, cleaned: pd.DataFrame
) -> None:
    again = pickle.loads(pickle.dumps(model))
    assert again.forecast(cleaned).frame.equals(model.forecast(cleaned).frame)


def test_short_history_is_still_validated_and_calibrated(
    tiny: SyntheticDataset, cleaned: pd.DataFrame
) -> None:
    """90 days for a 28-day model: whole validation windows would leave nothing to train
    the early model on, so the windows are cut at the last day; rounds come from early
    stopping and P10/P90 from measured residuals, never the uncalibrated defaults."""
    short = cleaned[cleaned["date"] < cleaned["date"].min() + pd.Timedelta(days=90)]
    model = GlobalForecaster(28, "DE", tiny.network, rounds=200, max_rows=20_000).fit(short)
    assert model.fit_ is not None
    assert all(bucket.points > 0 for bucket in model.fit_.calibration.buckets)
    assert max(max(r.values()) for r in model.fit_.rounds.values()) < 200


def test_weights_lean_to_the_variant_with_the_smaller_validation_error() -> None:
    """Variant 0 is exact on series 0 and variant 1 on series 1 (pooled they tie): each
    series leans 3:1 to its better variant (its relative errors 0 and 2 averaged with
    the pooled 1 and 1), and the pooled weights stay even."""
    series = np.repeat([0, 1], 10)
    actual = np.full(20, 10.0)
    off = np.where(series == 0, 10.0, 14.0), np.where(series == 0, 14.0, 10.0)
    weights, pooled = _weights(list(off), actual, np.ones(20, bool), series, np.full((2, 2), 0.5))
    assert np.allclose(weights, [[0.75, 0.25], [0.25, 0.75]])
    assert np.allclose(pooled, [0.5, 0.5])


@pytest.mark.parametrize(
    ("weekly_ratios", "factor"),
    [
        ((1.2, 1.2, 1.2, 1.2), 1.2),  # a steady skew: applied in full
        ((1.3, 0.8, 1.3, 0.8), 1.0),  # a ratio of 1.05 within its week-to-week noise
        ((2.0, 2.0, 2.0, 2.0), 1.25),  # beyond BIAS_LIMITS
    ],
)
def test_mean_factor_is_the_validation_ratio_unless_within_its_weekly_noise(
    weekly_ratios: tuple[float, ...], factor: float
) -> None:
    """Four weeks of daily targets, P50 10 a day, actuals the week's ratio times it."""
    target = np.arange(28)
    p50 = np.full(28, 10.0)
    actual = p50 * np.repeat(weekly_ratios, 7)
    assert _mean_factor(actual, p50, target, week=7) == pytest.approx(factor)


def test_mean_factor_keeps_a_clear_shift_nearly_whole() -> None:
    """Weekly ratios 1.15-1.25 (noise 0.04 around a shift of 0.2): kept within 1%."""
    p50 = np.full(28, 10.0)
    actual = p50 * np.repeat([1.2, 1.25, 1.15, 1.2], 7)
    assert 1.19 < _mean_factor(actual, p50, np.arange(28), week=7) <= 1.2


def test_combined_model_records_weights_per_series_and_averages_its_variants(
    tiny: SyntheticDataset, cleaned: pd.DataFrame, model: GlobalForecaster
) -> None:
    """``graph="both"`` (the default model) trains the graph and no-graph variants, weighs
    them per series from its validation windows (recorded in ``fit_.weights``) and
    forecasts a P50 between theirs."""
    both = GlobalForecaster(HORIZON, "DE", tiny.network, "both", rounds=30, max_rows=20_000)
    ablation = GlobalForecaster(HORIZON, "DE", tiny.network, False, rounds=30, max_rows=20_000)
    both.fit(cleaned)
    assert both.fit_ is not None
    weights = both.fit_.weights
    keys = cleaned[["store_id", "sku_id"]].drop_duplicates()
    assert len(weights) == len(keys) and list(weights) == ["lightgbm_global", "lightgbm_no_graph"]
    assert np.allclose(weights.sum(axis=1), 1.0) and ((weights > 0) & (weights < 1)).all(None)
    assert weights["lightgbm_global"].nunique() > 1  # per series, not one pooled pair
    frame = both.forecast(cleaned).frame
    assert set(frame["model"]) == {"lightgbm_combined"}
    members = [
        model.forecast(cleaned).frame["p50"],
        ablation.fit(cleaned).forecast(cleaned).frame["p50"],
    ]
    low, high = np.minimum(*members), np.maximum(*members)
    assert ((frame["p50"] >= low - 1e-9) & (frame["p50"] <= high + 1e-9)).all()


def test_combined_model_covers_nominally_on_the_next_weeks(tiny: SyntheticDataset) -> None:
    """Calibrated on its own validation windows only, the combined model's P10-P90 covers
    close to 80% of the four weeks after its history (tiny: 48 series, 1,344 points)."""
    cleaned = clean_demand(tiny.demand).frame
    cut = cleaned["date"].max() - pd.Timedelta(days=27)
    history, actual = cleaned[cleaned["date"] < cut], cleaned[cleaned["date"] >= cut]
    both = GlobalForecaster(28, "DE", tiny.network, "both", rounds=30, max_rows=20_000)
    frame = both.fit(history).forecast(history).frame
    scored = frame.merge(
        actual.rename(columns={"store_id": "location_id", "date": "period"}),
        on=["location_id", "sku_id", "period"],
    )
    assert len(scored) == len(frame)
    coverage = metrics.coverage(scored["quantity"], scored["p10"], scored["p90"])
    assert abs(coverage - 0.8) < 0.05, coverage
    assert abs(metrics.bias(scored["quantity"], scored["mean"])) < 0.1


def test_a_panel_wider_than_max_rows_trains_on_a_sample_of_several_origins(
    tiny: SyntheticDataset, weekly: pd.DataFrame
) -> None:
    """48 series x 8 weeks fill 384 rows per origin: with ``max_rows=500`` one origin
    would fit, leaving the early model nothing before its validation windows; the model
    keeps ``MIN_TRAIN_ORIGINS`` origins, samples 500 of their rows and still validates
    and calibrates every step."""
    model = GlobalForecaster(WEEKS, "DE", tiny.network, rounds=30, max_rows=500)
    panel = demand_panel(weekly, None, WEEKS)
    assert len(model._origins(panel, panel.length)) == MIN_TRAIN_ORIGINS
    model.fit(weekly)
    assert model.fit_ is not None
    assert all(bucket.points > 0 for bucket in model.fit_.calibration.buckets)
    assert len(model.forecast(weekly).frame) == 48 * WEEKS
