"""Conformal calibration: shifts learned on one sample bring P10-P90 coverage of the
next sample to nominal (80%), for intervals that were too wide, too narrow, or clipped
at zero, and per horizon bucket where errors grow with the step; the per-series wrapper
calibrates a real baseline on its own backtest and refuses a longer horizon."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from supplynet.forecasting import metrics
from supplynet.forecasting.baselines import SeasonalAverage
from supplynet.forecasting.calibration import (
    HorizonCalibration,
    IntervalCalibration,
    step_bucket,
)
from supplynet.forecasting.cleaning import clean_demand
from supplynet.forecasting.conformal import CalibratedPerSeries
from supplynet.graph.errors import ValidationFailed
from tests.forecasting_support import demand_frame, weekly_pattern


def _coverage_after(width: float, level: float, seed: int) -> float:
    """Normal demand around ``level``, intervals ``level -/+ width``: calibrate on one
    sample, return the coverage on a fresh one."""
    rng = np.random.default_rng(seed)
    scale = np.full(4000, level)
    first, second = rng.normal(level, 0.2 * level, (2, 4000)).clip(min=0)
    low, high = np.full(4000, level - width), np.full(4000, level + width)
    calibration = IntervalCalibration.fit(first, low, high, scale)
    p10, p90 = calibration.apply(low, high, scale)
    return metrics.coverage(second, p10, p90)


def test_too_wide_and_too_narrow_intervals_reach_nominal() -> None:
    for width in (0.05, 0.6):
        assert abs(_coverage_after(width * 10, 10.0, seed=1) - 0.8) < 0.03


def test_intervals_clipped_at_zero_reach_nominal() -> None:
    """Intermittent demand (half the actuals zero) with a zero P10: the lower bound
    cannot leave 10% below it, so the upper bound takes the whole 20% outside share."""
    rng = np.random.default_rng(2)
    sizes = rng.gamma(2.0, 3.0, (2, 5000))
    actual = np.where(rng.random((2, 5000)) < 0.5, 0.0, sizes)
    scale = np.full(5000, 3.0)
    low, high = np.zeros(5000), np.full(5000, 30.0)
    calibration = IntervalCalibration.fit(actual[0], low, high, scale)
    p10, p90 = calibration.apply(low, high, scale)
    assert metrics.coverage(actual[1], low, high) > 0.95
    assert abs(metrics.coverage(actual[1], p10, p90) - 0.8) < 0.03
    assert (p10 == 0).all()


def test_too_few_points_leave_intervals_alone() -> None:
    calibration = IntervalCalibration.fit([1.0, 2.0], [0.0, 0.0], [3.0, 3.0], [1.0, 1.0])
    assert calibration == IntervalCalibration()


def test_calibrated_baseline_covers_nominally_out_of_sample() -> None:
    """Weekday averages of Poisson series: calibrated on the history's own backtest, the
    next two weeks' P10-P90 coverage is close to 80%."""
    days, horizon = 200, 14
    series = {
        (f"S{i}", "K1"): weekly_pattern(days, seed=i, level=5 + 3 * (i % 5)) for i in range(40)
    }
    cleaned = clean_demand(demand_frame(series)).frame
    cut = cleaned["date"].max() - pd.Timedelta(days=horizon - 1)
    history, actual = cleaned[cleaned["date"] < cut], cleaned[cleaned["date"] >= cut]
    model = CalibratedPerSeries(SeasonalAverage, "weekday_avg", horizon, origins=4).fit(history)
    forecast = model.forecast(history).frame
    scored = forecast.merge(
        actual.rename(columns={"store_id": "location_id", "date": "period"}),
        on=["location_id", "sku_id", "period"],
    )
    assert len(scored) == 40 * horizon
    assert set(scored["model"]) == {"weekday_avg"}
    assert abs(metrics.coverage(scored["quantity"], scored["p10"], scored["p90"]) - 0.8) < 0.06


def test_each_horizon_bucket_reaches_nominal() -> None:
    """Errors growing with the step under intervals of one fixed width: one pooled shift
    would leave the first week too wide and the last weeks too narrow; per bucket,
    every bucket's coverage of a fresh sample is close to 80%."""
    rng = np.random.default_rng(3)
    steps = np.tile(np.arange(45), 300)
    spread = 0.5 + 0.1 * steps
    first, second = (10.0 + rng.normal(0.0, 1.0, (2, len(steps))) * spread).clip(min=0)
    low, high, scale = (
        np.full(len(steps), 9.0),
        np.full(len(steps), 11.0),
        np.full(len(steps), 10.0),
    )
    calibration = HorizonCalibration.fit(first, low, high, scale, steps)
    p10, p90 = calibration.apply(low, high, scale, steps)
    pooled = IntervalCalibration.fit(first, low, high, scale).apply(low, high, scale)
    buckets = step_bucket(steps)
    assert metrics.coverage(second[buckets == 0], *(b[buckets == 0] for b in pooled)) > 0.9
    for bucket in range(4):
        inside = buckets == bucket
        assert abs(metrics.coverage(second[inside], p10[inside], p90[inside]) - 0.8) < 0.03


def test_thin_long_buckets_take_the_longest_measured_one() -> None:
    """Only the first week scored (a short history's cut windows): later buckets reuse
    its shifts instead of staying uncalibrated."""
    rng = np.random.default_rng(4)
    steps = np.tile(np.arange(7), 100)
    actual = rng.normal(10.0, 3.0, len(steps))
    ones = np.ones(len(steps))
    calibration = HorizonCalibration.fit(actual, 9.0 * ones, 11.0 * ones, 10.0 * ones, steps)
    assert calibration.buckets[0].points == len(steps)
    assert len(set(calibration.buckets)) == 1


def test_per_series_model_refuses_a_longer_horizon_than_calibrated() -> None:
    series = {("S1", "K1"): weekly_pattern(70, seed=1, level=5)}
    history = clean_demand(demand_frame(series)).frame
    model = CalibratedPerSeries(SeasonalAverage, "weekday_avg", 7, origins=0).fit(history)
    assert len(model.forecast(history, horizon=7).frame) == 7
    with pytest.raises(ValidationFailed, match="horizon"):
        model.forecast(history, horizon=8)


def test_first_week_is_calibrated_per_momentum_group() -> None:
    """After a level shift (high momentum) the next days miss upward more: one pooled
    shift leaves those series under-covered and the steady ones over-covered; grouped by
    momentum, each group of a fresh sample covers close to 80%, and later steps keep the
    pooled shifts."""
    rng = np.random.default_rng(5)
    n = 14 * 430
    steps = np.tile(np.arange(14), n // 14)
    momentum = rng.choice([0.8, 1.0, 1.6], n)
    spread = np.where(momentum > 1.2, 4.0, 1.0)
    first, second = (10.0 + rng.normal(0.0, 1.0, (2, n)) * spread).clip(min=0)
    low, high, scale = np.full(n, 8.0), np.full(n, 12.0), np.full(n, 10.0)
    pooled = HorizonCalibration.fit(first, low, high, scale, steps)
    grouped = HorizonCalibration.fit(first, low, high, scale, steps, momentum)
    assert len(grouped.groups) == 3 and grouped.buckets == pooled.buckets
    week = steps < 7
    shifted = momentum > 1.2
    p10, p90 = pooled.apply(low, high, scale, steps, momentum)
    assert metrics.coverage(second[week & shifted], p10[week & shifted], p90[week & shifted]) < 0.7
    p10, p90 = grouped.apply(low, high, scale, steps, momentum)
    for group in (shifted, ~shifted):
        inside = week & group
        assert abs(metrics.coverage(second[inside], p10[inside], p90[inside]) - 0.8) < 0.04
    later = ~week
    assert np.array_equal(p90[later], pooled.apply(low, high, scale, steps)[1][later])
