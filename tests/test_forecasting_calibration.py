"""Conformal calibration: shifts learned on one sample bring P10-P90 coverage of the
next sample to nominal (80%), for intervals that were too wide, too narrow, or clipped
at zero; and the per-series wrapper calibrates a real baseline on its own backtest."""

from __future__ import annotations

import numpy as np
import pandas as pd

from supplynet.forecasting import metrics
from supplynet.forecasting.baselines import SeasonalAverage
from supplynet.forecasting.calibration import IntervalCalibration
from supplynet.forecasting.cleaning import clean_demand
from supplynet.forecasting.conformal import CalibratedPerSeries
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
