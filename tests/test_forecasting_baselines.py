"""Baselines and Croston give the textbook answers; every forecaster keeps the contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from forecasting_support import history, weekly_pattern

from supplynet.forecasting.baselines import (
    MovingAverage,
    Naive,
    SeasonalAverage,
    SeasonalNaive,
    error_quantiles,
)
from supplynet.forecasting.croston import Croston
from supplynet.forecasting.forecaster import QUANTILE_COLUMNS, Forecaster
from supplynet.forecasting.registry import FORECASTERS

WEEK = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]


def test_seasonal_naive_repeats_the_last_week() -> None:
    answer = SeasonalNaive().fit(history(WEEK * 3)).predict(10)
    assert answer["mean"].tolist() == WEEK + WEEK[:3]
    # a perfectly repeating history has zero errors, so a zero-width interval
    assert (answer["p10"] == answer["mean"]).all() and (answer["p90"] == answer["mean"]).all()


def test_moving_average_is_flat_at_the_window_mean() -> None:
    answer = MovingAverage(window=4).fit(history([9.0, 1.0, 2.0, 3.0, 6.0])).predict(3)
    assert answer["mean"].tolist() == [3.0, 3.0, 3.0]


def test_seasonal_average_is_the_weekday_mean_of_the_last_cycles() -> None:
    weeks = [[w * 10 + d for d in range(7)] for w in range(5)]
    values = [float(v) for week in weeks for v in week]
    answer = SeasonalAverage(cycles=2).fit(history(values)).predict(7)
    assert answer["mean"].tolist() == [35.0 + d for d in range(7)]


def test_naive_repeats_the_last_value() -> None:
    assert Naive().fit(history([4.0] * 10)).predict(2)["mean"].tolist() == [4.0, 4.0]


def test_croston_and_sba_by_hand() -> None:
    """Demand 3 every third day: size 3, interval 3 -> Croston 1, SBA 1 - alpha/2."""
    values = [0.0, 0.0, 3.0] * 10
    croston = Croston("croston", alpha=0.1).fit(history(values)).predict(2)
    sba = Croston("sba", alpha=0.1).fit(history(values)).predict(2)
    assert croston["mean"].tolist() == pytest.approx([1.0, 1.0])
    assert sba["mean"].tolist() == pytest.approx([0.95, 0.95])
    # zero with probability 2/3, else 3: P10 = P50 = 0, P90 = 3
    assert croston[["p10", "p50", "p90"]].iloc[0].tolist() == pytest.approx([0.0, 0.0, 3.0])


def test_tsb_decays_when_demand_stops() -> None:
    """TSB smooths occurrence every period: after a dry spell its forecast drops."""
    active = [0.0, 0.0, 3.0] * 10
    dying = active + [0.0] * 30
    p = 1 / 3
    for value in [v for v in dying[3:]]:
        p += 0.05 * (float(value > 0) - p)
    tsb = Croston("tsb", alpha=0.1, beta=0.05).fit(history(dying)).predict(1)
    assert tsb["mean"].iloc[0] == pytest.approx(p * 3.0)
    sba = Croston("sba").fit(history(dying)).predict(1)
    assert tsb["mean"].iloc[0] < sba["mean"].iloc[0]


def test_all_zero_history_forecasts_zero() -> None:
    for model in (Croston("sba"), Naive(), SeasonalNaive(), MovingAverage()):
        answer = model.fit(history([0.0] * 30)).predict(5)
        assert (answer.to_numpy() == 0).all()


@pytest.mark.parametrize("name", sorted(FORECASTERS))
def test_forecaster_contract(name: str) -> None:
    """Every registered forecaster: right periods, columns, non-negative, ordered."""
    train = history(weekly_pattern(140, seed=3, level=2.0), price=3.0, promo=False)
    model: Forecaster = FORECASTERS[name]()
    assert isinstance(model, Forecaster)
    answer = model.fit(train).predict(14)
    assert list(answer.columns) == list(QUANTILE_COLUMNS)
    expected = pd.date_range(train.index[-1] + pd.Timedelta(days=1), periods=14, freq="D")
    assert answer.index.equals(expected)
    values = answer.to_numpy()
    assert np.isfinite(values).all() and (values >= 0).all()
    assert (answer["p10"] <= answer["p50"]).all() and (answer["p50"] <= answer["p90"]).all()
    assert isinstance(model.model_name, str) and model.model_name


def test_missing_values_do_not_break_the_baselines() -> None:
    values = np.array(WEEK * 4)
    values[[3, 10]] = np.nan
    answer = SeasonalNaive().fit(history(values)).predict(7)
    assert answer["mean"].tolist() == WEEK


def test_moving_average_interval_is_its_trailing_mean_error_quantiles() -> None:
    values = weekly_pattern(60, seed=4)
    answer = MovingAverage(window=5).fit(history(values)).predict(2)
    y = pd.Series(values)
    errors = (y - y.rolling(5, min_periods=1).mean().shift(1)).dropna()
    q10, q50, q90 = np.percentile(errors, [10, 50, 90])
    point = values[-5:].mean()
    assert answer.iloc[0][["p10", "p50", "p90"]].tolist() == pytest.approx(
        [point + q10, point + q50, point + q90], rel=1e-12
    )


def test_error_quantiles_are_numpy_percentiles() -> None:
    rng = np.random.default_rng(0)
    for size in [1, 2, 5, 9, 10, 11, 101, 730, *rng.integers(1, 2000, size=200)]:
        errors = rng.normal(size=size) * rng.uniform(0.1, 100.0)
        errors[rng.random(size) < 0.3] = np.round(errors[0])  # ties, as in count data
        expected = np.percentile(errors, [10, 50, 90])
        assert error_quantiles(errors) == tuple(expected), size
