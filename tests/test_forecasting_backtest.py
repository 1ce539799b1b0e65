"""Rolling-origin backtests score honestly: no model ever sees a period after its origin."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from forecasting_support import demand_frame, weekly_pattern

from supplynet.forecasting.backtest import backtest, cuts
from supplynet.forecasting.baselines import MovingAverage, SeasonalNaive
from supplynet.forecasting.cleaning import clean_demand
from supplynet.forecasting.selection import AutoForecaster
from supplynet.graph.errors import ValidationFailed
from supplynet.graph.executor import ParallelSettings

MODELS = {"seasonal_naive": SeasonalNaive, "moving_average": MovingAverage, "auto": AutoForecaster}


def cleaned(series: dict[tuple[str, str], np.ndarray]) -> pd.DataFrame:
    return clean_demand(demand_frame(series), outlier_k=100).frame


def test_cut_positions() -> None:
    assert cuts(100, 10, 3, 10) == [70, 80, 90]
    assert cuts(100, 14, 2, 7) == [79, 86]
    assert cuts(12, 10, 3, 10) == [2]


def test_a_backtest_never_looks_at_the_future() -> None:
    """Corrupting every period after the first origin leaves that origin's forecasts as
    they were (for Prophet too); only the scores against the corrupted actuals change."""
    values = weekly_pattern(150, seed=4)
    corrupted = values.copy()
    first_cut = cuts(150, 14, 3, 14)[0]
    corrupted[first_cut:] = 1e4
    clean = backtest(cleaned({("S1", "K1"): values}), MODELS, 14, origins=3).points
    dirty = backtest(cleaned({("S1", "K1"): corrupted}), MODELS, 14, origins=3).points
    first = clean["origin"] == clean["origin"].min()
    assert set(clean.loc[first & (clean["model"] == "auto"), "fitted_model"]) == {"prophet"}
    columns = ["model", "period", "mean", "p10", "p50", "p90", "scale"]
    pd.testing.assert_frame_equal(
        clean.loc[first, columns].reset_index(drop=True),
        dirty.loc[first, columns].reset_index(drop=True),
    )
    assert (dirty.loc[first, "actual"] == 1e4).all()
    later = ~first
    assert not np.allclose(clean.loc[later, "mean"], dirty.loc[later, "mean"])


def test_scores_of_a_perfect_forecast() -> None:
    """A series that repeats every week exactly: seasonal naive is perfect."""
    week = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    data = cleaned({("S1", "K1"): np.tile(week, 12), ("S2", "K1"): np.tile(week * 2, 12)})
    table = backtest(data, {"seasonal_naive": SeasonalNaive}, 7, origins=2).aggregate()
    row = table.iloc[0]
    assert row["series"] == 2
    assert row["wape"] == 0.0 and row["bias"] == 0.0 and row["pinball"] == 0.0
    assert row["coverage"] == 1.0
    # in-sample seasonal naive errors are all zero, so MASE is undefined, not a number
    assert np.isnan(row["mase"])


def test_aggregate_matches_a_hand_computation() -> None:
    """Moving average of a 2-value alternating series: WAPE and bias by hand."""
    values = np.resize([2.0, 4.0], 56)
    points = backtest(cleaned({("S1", "K1"): values}), {"ma": MovingAverage}, 7, origins=1).points
    assert points["mean"].tolist() == pytest.approx([3.0] * 7)
    actual = values[-7:]
    table = backtest(
        cleaned({("S1", "K1"): values}), {"ma": MovingAverage}, 7, origins=1
    ).aggregate()
    assert table["wape"].iloc[0] == pytest.approx(np.abs(actual - 3).sum() / actual.sum())
    assert table["bias"].iloc[0] == pytest.approx((3 * 7 - actual.sum()) / actual.sum())
    # the seasonal naive in-sample error of an alternating series with lag 7 is 2
    assert table["mase"].iloc[0] == pytest.approx(np.abs(actual - 3).mean() / 2.0)


def test_best_is_chosen_on_early_origins_and_scored_on_later_ones() -> None:
    week = np.array([1.0, 9.0, 1.0, 9.0, 1.0, 9.0, 1.0])
    data = cleaned({("S1", "K1"): np.tile(week, 10) + np.resize([0.0, 1.0], 70)})
    result = backtest(
        data, {"seasonal_naive": SeasonalNaive, "moving_average": MovingAverage}, 7, origins=3
    )
    best = result.with_best(selection_origins=1)
    origins = sorted(result.points["origin"].unique())
    assert sorted(best.points["origin"].unique()) == origins[1:]
    choice = result.best_models()
    early = type(result)(result.points[result.points["origin"] == origins[0]], 7).best_models()
    chosen = best.points[best.points["model"] == "best"]
    expected = result.points[
        (result.points["model"] == early[("S1", "K1")]) & (result.points["origin"] > origins[0])
    ]
    assert chosen["mean"].tolist() == expected["mean"].tolist()
    assert set(best.aggregate()["model"]) == {"seasonal_naive", "moving_average", "best"}
    assert choice[("S1", "K1")] in {"seasonal_naive", "moving_average"}
    with pytest.raises(ValidationFailed, match="selection_origins"):
        result.with_best(selection_origins=3)


def test_parallel_backtest_equals_serial() -> None:
    data = cleaned({("S1", f"K{i}"): weekly_pattern(70, seed=i) for i in range(4)})
    models = {"seasonal_naive": SeasonalNaive, "moving_average": MovingAverage}
    serial = backtest(data, models, 7, origins=2, parallel=ParallelSettings(workers=1)).aggregate()
    pooled = backtest(
        data, models, 7, origins=2, parallel=ParallelSettings(workers=2, chunk_size=1)
    ).aggregate()
    pd.testing.assert_frame_equal(serial, pooled)


def test_bad_settings_are_rejected() -> None:
    with pytest.raises(ValidationFailed, match="horizon"):
        backtest(cleaned({("S1", "K1"): weekly_pattern(30)}), MODELS, 0)
    with pytest.raises(ValidationFailed, match="models"):
        backtest(cleaned({("S1", "K1"): weekly_pattern(30)}), {}, 7)
