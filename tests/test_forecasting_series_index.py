"""The series index forecasts exactly what the pipeline forecasts, from bare arrays."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from forecasting_support import demand_frame, weekly_pattern

from supplynet.forecasting import series_index
from supplynet.forecasting.baselines import SeasonalNaive
from supplynet.forecasting.cleaning import clean_demand
from supplynet.forecasting.pipeline import forecast_demand
from supplynet.forecasting.registry import FORECASTERS, VALUE_FORECASTERS
from supplynet.forecasting.series_index import SeriesIndex
from supplynet.graph.executor import ParallelSettings


@pytest.fixture(scope="module")
def demand() -> pd.DataFrame:
    """Three series: one with gaps, one that stops selling early, one that starts late.

    S2 records a zero, so absent days are missing data (``NaN``) that models must fill.
    """
    gappy = weekly_pattern(120, seed=1)
    gappy[[5, 6, 40, 41, 42, 90]] = np.nan
    frame = demand_frame(
        {
            ("S1", "K1"): gappy,
            ("S1", "K2"): weekly_pattern(80, seed=2),
            ("S2", "K1"): weekly_pattern(10, seed=3),
        }
    )
    late = frame["store_id"].eq("S2")
    frame.loc[late, "date"] += pd.Timedelta(days=110)
    frame.loc[frame["quantity"].isna(), "quantity"] = 0.0
    frame.loc[late.idxmax(), "quantity"] = 0.0
    return frame[~frame["quantity"].eq(0.0) | late].reset_index(drop=True)


@pytest.mark.parametrize("model", sorted(VALUE_FORECASTERS))
def test_array_forecasts_equal_the_pipeline(demand: pd.DataFrame, model: str) -> None:
    index = SeriesIndex(demand)
    keys = index.keys()
    expected = forecast_demand(
        index.rows(keys), FORECASTERS[model], 9, "D", ParallelSettings(workers=1)
    ).frame
    got = pd.concat(
        pd.DataFrame(
            {
                "location_id": f.key[0],
                "sku_id": f.key[1],
                "period": pd.to_datetime(f.periods).as_unit("ns"),
                **f.path._asdict(),
                "model": f.model,
            }
        )
        for f in index.forecast(keys, VALUE_FORECASTERS[model], 9)
    ).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected[list(got.columns)], check_dtype=False, rtol=1e-12)


def test_every_series_runs_to_the_last_day_of_the_history(demand: pd.DataFrame) -> None:
    """S1/K2 stopped selling on day 80: it is forecast from the day after the data ends."""
    index = SeriesIndex(demand)
    last = pd.Timestamp(demand["date"].max())
    firsts = {
        f.key: pd.Timestamp(f.periods[0])
        for f in index.forecast(index.keys(), VALUE_FORECASTERS["naive"], 3)
    }
    assert firsts == dict.fromkeys(index.keys(), last + pd.Timedelta(days=1))
    stopped = index.rows([("S1", "K2")])
    assert stopped["date"].max() == last
    assert stopped["quantity"].iloc[80:].isna().all(), "the days after its last sale are missing"


def test_keys_filter_by_store_and_sku_and_rows_match_the_cleaned_frame(
    demand: pd.DataFrame,
) -> None:
    index = SeriesIndex(demand)
    assert len(index) == 3
    assert index.keys() == [("S1", "K1"), ("S1", "K2"), ("S2", "K1")]
    assert index.keys(stores={"S1"}) == [("S1", "K1"), ("S1", "K2")]
    assert index.keys(skus={"K1"}) == [("S1", "K1"), ("S2", "K1")]
    assert index.keys({"S2", "S9"}, {"K1", "K2"}) == [("S2", "K1")]
    assert index.keys(frozenset(), None) == []
    assert index.keys(["S1", "S1"], ["K1", "K2", "K9"]) == [("S1", "K1"), ("S1", "K2")]
    assert index.keys(None, []) == []
    cleaned = clean_demand(demand, "D").frame
    mine = cleaned[cleaned["sku_id"].eq("K1")].reset_index(drop=True)
    pd.testing.assert_frame_equal(index.rows(index.keys(skus={"K1"})), mine)
    assert index.rows([]).empty


def test_a_series_is_fitted_once_per_model_and_answers_any_horizon(
    demand: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refits are skipped, not answers changed: a fresh index gives the same forecasts."""
    monkeypatch.setattr(series_index, "MAX_FITTED", 2)
    fits = 0
    real_fit = SeasonalNaive.fit_values

    def counting_fit(self: SeasonalNaive, quantity: npt.ArrayLike, season: int) -> SeasonalNaive:
        nonlocal fits
        fits += 1
        return real_fit(self, quantity, season)

    monkeypatch.setattr(SeasonalNaive, "fit_values", counting_fit)
    index = SeriesIndex(demand)
    keys = index.keys()
    first = index.forecast(keys[:2], SeasonalNaive, 30)
    again = index.forecast(keys[:2], SeasonalNaive, 9)
    assert fits == 2
    for long, short in zip(first, again, strict=True):
        assert all(np.array_equal(a[:9], b) for a, b in zip(long.path, short.path, strict=True))
    index.forecast(keys[2:], SeasonalNaive, 9)
    index.forecast(keys[:1], SeasonalNaive, 9)
    assert fits == 4, "the oldest fit was dropped to keep two"
    fresh = SeriesIndex(demand).forecast(keys, SeasonalNaive, 9)
    repeat = index.forecast(keys, SeasonalNaive, 9)
    for a, b in zip(fresh, repeat, strict=True):
        assert all(np.array_equal(x, y) for x, y in zip(a.path, b.path, strict=True))


def test_an_empty_history_gives_an_empty_index(demand: pd.DataFrame) -> None:
    """A store with a network and no demand yet: the server's index is empty, not a crash."""
    index = SeriesIndex(demand.iloc[:0])
    assert len(index) == 0 and index.keys() == []
    assert index.summary.rows_in == 0
