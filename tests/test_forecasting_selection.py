"""Each fallback rule of forecasting.selection picks its model, and the pick is recorded."""

from __future__ import annotations

import numpy as np
import pytest
from forecasting_support import demand_frame, history, weekly_pattern

from supplynet.forecasting.cleaning import clean_demand
from supplynet.forecasting.pipeline import forecast_demand
from supplynet.forecasting.selection import AutoForecaster

INTERMITTENT = [0.0, 0.0, 3.0] * 40
LUMPY = [0.0, 0.0, 1.0, 0.0, 0.0, 25.0, 0.0, 2.0, 0.0, 0.0, 40.0, 0.0] * 10


@pytest.mark.parametrize(
    ("values", "model", "demand_class"),
    [
        ([3.0, 5.0, 4.0, 6.0, 2.0], "moving_average", "smooth"),
        (list(weekly_pattern(30)), "seasonal_naive", "smooth"),
        ([4.0] * 100, "naive", "smooth"),
        ([0.0] * 100, "naive", "intermittent"),
        (INTERMITTENT, "sba", "intermittent"),
        (LUMPY, "tsb", "lumpy"),
        (list(weekly_pattern(120)), "prophet", "smooth"),
    ],
)
def test_each_rule_picks_its_model(values: list[float], model: str, demand_class: str) -> None:
    auto = AutoForecaster().fit(history(values))
    assert auto.model_name == model
    assert auto.profile_ is not None and auto.profile_.demand_class == demand_class
    answer = auto.predict(7)
    assert len(answer) == 7 and (answer.to_numpy() >= 0).all()


def test_missing_periods_do_not_count_as_observations() -> None:
    """60 days with 10 observed is short: seasonal naive, not Prophet."""
    values = np.full(60, np.nan)
    values[-10:] = weekly_pattern(10)
    assert AutoForecaster().fit(history(values)).model_name == "seasonal_naive"


def test_the_model_used_is_recorded_per_series() -> None:
    demand = demand_frame(
        {
            ("S1", "K1"): np.array(INTERMITTENT),
            ("S1", "K2"): np.full(120, 5.0),
            ("S2", "K1"): weekly_pattern(20),
        }
    )
    forecast = forecast_demand(clean_demand(demand, outlier_k=3).frame, AutoForecaster, 7)
    used = forecast.frame.drop_duplicates(["location_id", "sku_id"]).set_index(
        ["location_id", "sku_id"]
    )
    assert used["model"].to_dict() == {
        ("S1", "K1"): "sba",
        ("S1", "K2"): "naive",
        ("S2", "K1"): "seasonal_naive",
    }
    assert len(forecast.frame) == 21


def test_closed_days_are_not_intermittency() -> None:
    """Zero every Friday and Saturday (ADI 1.4 over all days) is a schedule: Prophet."""
    values = weekly_pattern(140, seed=2)
    values[4::7] = 0.0
    values[5::7] = 0.0
    auto = AutoForecaster().fit(history(values))
    assert auto.profile_ is not None and auto.profile_.adi < 1.32
    assert auto.model_name == "prophet"
