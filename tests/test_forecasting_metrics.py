"""forecasting.metrics agree with values computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from supplynet.forecasting import metrics

ACTUAL = [10.0, 0.0, 5.0, 5.0]
FORECAST = [8.0, 1.0, 5.0, 8.0]


def test_wape() -> None:
    # |2| + |1| + 0 + |3| = 6 over 20
    assert metrics.wape(ACTUAL, FORECAST) == pytest.approx(0.3)
    assert math.isnan(metrics.wape([0.0, 0.0], [1.0, 1.0]))


def test_bias() -> None:
    # (-2 + 1 + 0 + 3) / 20
    assert metrics.bias(ACTUAL, FORECAST) == pytest.approx(0.1)


def test_mase() -> None:
    # seasonal (lag 2) in-sample errors of [1, 2, 3, 5, 4]: |3-1|, |5-2|, |4-3| -> mean 2
    scale = metrics.mase_scale([1.0, 2.0, 3.0, 5.0, 4.0], season=2)
    assert scale == pytest.approx(2.0)
    # out-of-sample MAE 6 / 4 = 1.5, over 2
    assert metrics.mase(ACTUAL, FORECAST, scale) == pytest.approx(0.75)
    # too short for the season: lag-1 errors 1, 1
    assert metrics.mase_scale([1.0, 2.0, 3.0], season=7) == pytest.approx(1.0)
    assert math.isnan(metrics.mase(ACTUAL, FORECAST, 0.0))


def test_pinball() -> None:
    # q = 0.9: under-forecasts cost 0.9 per unit, over-forecasts 0.1
    # errors a - f: 2, -1, 0, -3 -> 1.8, 0.1, 0, 0.3 -> mean 0.55
    assert metrics.pinball(ACTUAL, FORECAST, 0.9) == pytest.approx(0.55)
    # q = 0.5 is half the absolute error: 6 / 4 / 2
    assert metrics.pinball(ACTUAL, FORECAST, 0.5) == pytest.approx(0.75)


def test_coverage() -> None:
    lower = [9.0, 0.0, 6.0, 0.0]
    upper = [11.0, 0.0, 7.0, 4.0]
    assert metrics.coverage(ACTUAL, lower, upper) == pytest.approx(0.5)


def test_missing_actuals_are_left_out() -> None:
    actual = [10.0, np.nan, 5.0, 5.0]
    assert metrics.wape(actual, FORECAST) == pytest.approx(5 / 20)
    assert metrics.coverage(actual, [0, 0, 0, 0], [1, 1, 1, 1]) == 0.0
